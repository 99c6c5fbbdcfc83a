// Package modules registers paved's built-in modules (drivers by id, target
// types by name) in a registry. It is part of the composition root: the
// server registers everything, the CLI's offline commands only what runs
// without side effects. Drivers and registered target types are wired here
// only; the server itself builds the one GitOps target it is configured
// with.
package modules

import (
	"log/slog"

	"paved.dev/paved"
	"paved.dev/paved/driver/amqp"
	"paved.dev/paved/driver/cmd"
	"paved.dev/paved/driver/echo"
	"paved.dev/paved/driver/mysql"
	"paved.dev/paved/driver/postgres"
	"paved.dev/paved/driver/redis"
	"paved.dev/paved/driver/template"
)

// Driver ids.
const (
	DriverTemplate = "template"
	DriverEcho     = "echo"
	DriverPostgres = "postgres"
	DriverMySQL    = "mysql"
	DriverRedis    = "redis"
	DriverAMQP     = "amqp"
	DriverCmd      = "cmd"
)

// Offline registers the drivers that only compute (template, echo): what
// `paved render` and `paved bench` run without a server or side effects.
func Offline(r *paved.Registry) error {
	if err := r.RegisterDriver(DriverTemplate, template.New()); err != nil {
		return err
	}
	return r.RegisterDriver(DriverEcho, echo.New())
}

// Local registers the offline drivers and the cmd driver: what `paved
// render --provisioners` runs when a score-k8s provisioner file has cmd://
// provisioners, which score-k8s too runs on the machine that renders.
func Local(r *paved.Registry, log *slog.Logger) error {
	if err := Offline(r); err != nil {
		return err
	}
	return r.RegisterDriver(DriverCmd, cmd.New(log))
}

// Drivers registers every built-in driver: the offline ones and those that
// provision on real servers (postgres, mysql, redis, amqp) or run programs
// (cmd).
func Drivers(r *paved.Registry, log *slog.Logger) error {
	if err := Offline(r); err != nil {
		return err
	}
	for id, d := range map[string]paved.Driver{
		DriverPostgres: postgres.New(log),
		DriverMySQL:    mysql.New(log),
		DriverRedis:    redis.New(log),
		DriverAMQP:     amqp.New(log),
		DriverCmd:      cmd.New(log),
	} {
		if err := r.RegisterDriver(id, d); err != nil {
			return err
		}
	}
	return nil
}
