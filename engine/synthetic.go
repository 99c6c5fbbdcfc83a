package engine

import "fmt"

// SyntheticWorkload returns the Score spec of the i-th workload of the
// benchmark app: one container, six placeholder variables, a service port,
// a postgres and a route (with the dns it routes).
func SyntheticWorkload(i int) []byte {
	return fmt.Appendf(nil, `apiVersion: score.dev/v1b1
metadata:
  name: svc-%04d
containers:
  main:
    image: registry.example/svc:%d
    variables:
      DB_HOST: ${resources.db.host}
      DB_PORT: ${resources.db.port}
      DB_NAME: ${resources.db.name}
      DB_USER: ${resources.db.username}
      DB_PASSWORD: ${resources.db.password}
      PUBLIC_HOST: ${resources.dns.host}
service:
  ports:
    http:
      port: 8080
resources:
  db:
    type: postgres
  dns:
    type: dns
  route:
    type: route
    params:
      host: ${resources.dns.host}
      path: /
      port: 8080
`, i, i)
}
