#!/usr/bin/env bash
# Makes sure the services that the driver tests talk to are up: PostgreSQL,
# MariaDB, Redis and RabbitMQ with its management plugin answering on 15672.
# Idempotent: a service that answers is left alone. Exits non-zero, naming the
# service, when one does not come up in time.
set -euo pipefail

log() { echo "services: $*" >&2; }

# wait_for NAME SECONDS CMD...: run CMD every half second until it succeeds.
wait_for() {
	local name=$1 secs=$2
	shift 2
	local deadline=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		if ((SECONDS >= deadline)); then
			log "$name did not come up within ${secs}s"
			return 1
		fi
		sleep 0.5
	done
}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
if ! pg_up; then
	log "starting PostgreSQL"
	pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
wait_for PostgreSQL 60 pg_up
# The server trusts every local connection; the driver tests need one group
# of roles that must give a password, to test wrong passwords. The line goes
# first because the first matching line of pg_hba.conf wins.
hba=$(psql -h 127.0.0.1 -U postgres -Atc 'SHOW hba_file')
if ! grep -q '+paved_password_auth' "$hba"; then
	log "PostgreSQL: members of paved_password_auth must give a password on 127.0.0.1"
	sed -i '1i host all +paved_password_auth 127.0.0.1/32 scram-sha-256' "$hba"
	psql -q -h 127.0.0.1 -U postgres -c 'SELECT pg_reload_conf()' >/dev/null
fi
psql -q -h 127.0.0.1 -U postgres -c "DO \$\$ BEGIN CREATE ROLE paved_password_auth NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null

mysql_up() { mysqladmin --protocol=tcp -h 127.0.0.1 -P 3306 -u root ping >/dev/null 2>&1; }
if ! mysql_up; then
	log "starting MariaDB"
	install -d -o mysql -g mysql /run/mysqld
	start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
wait_for MariaDB 60 mysql_up

redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
if ! redis_up; then
	log "starting Redis"
	install -d -o redis -g redis /var/lib/redis /var/log/redis 2>/dev/null || install -d /var/lib/redis /var/log/redis
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
		--dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for Redis 30 redis_up

amqp_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
if ! amqp_up; then
	log "starting RabbitMQ"
	rabbitmq-server -detached
fi
wait_for RabbitMQ 120 amqp_up

mgmt_up() { curl -fsS -m 5 -u guest:guest http://127.0.0.1:15672/api/overview -o /dev/null 2>/dev/null; }
if ! mgmt_up; then
	log "enabling the RabbitMQ management plugin"
	# Enabling needs the node to be fully booted, which can lag behind the
	# AMQP port; retry for a while.
	wait_for "RabbitMQ node" 60 rabbitmq-plugins enable rabbitmq_management
fi
wait_for "RabbitMQ management API" 90 mgmt_up
log "PostgreSQL, MariaDB, Redis and RabbitMQ (with management API) are up"
