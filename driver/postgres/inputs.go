package postgres

import (
	"net"
	"strconv"

	driverinputs "paved.dev/paved/driver/inputs"
)

// inputs are a definition's driver_inputs, checked.
type inputs struct {
	Host     string
	Port     int
	Username string
	Password string // secret: never logged, never in an error
	SSLMode  string // "" means libpq's default, prefer
	Database string
}

func (in *inputs) addr() string { return net.JoinHostPort(in.Host, strconv.Itoa(in.Port)) }

func parseInputs(m map[string]any) (*inputs, error) {
	r := driverinputs.NewReader("postgres", m)
	in := &inputs{
		Host:     r.String("host", true, `the PostgreSQL server's host name or IP address, e.g. "127.0.0.1"`),
		Port:     r.Port("port", 5432),
		Username: r.String("username", true, "a role with CREATEDB and CREATEROLE, or a superuser"),
		Password: r.String("password", false, ""),
		SSLMode:  r.String("sslmode", false, ""),
		Database: r.String("database", false, ""),
	}
	switch in.SSLMode {
	case "", "disable", "allow", "prefer", "require", "verify-ca", "verify-full":
	default:
		r.Problemf("sslmode %q is not one of disable, allow, prefer, require, verify-ca, verify-full", in.SSLMode)
	}
	if in.Database == "" {
		in.Database = "postgres"
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// SecretInputs names the inputs the platform seals at rest.
func (d *Driver) SecretInputs() []string { return []string{"password"} }
