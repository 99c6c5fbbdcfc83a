package mysql

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
	Database string // "" connects to no database
	TLS      string // "", "false", "true", "skip-verify" or "preferred"
}

func (in *inputs) addr() string { return net.JoinHostPort(in.Host, strconv.Itoa(in.Port)) }

func parseInputs(m map[string]any) (*inputs, error) {
	r := driverinputs.NewReader("mysql", m)
	in := &inputs{
		Host:     r.String("host", true, `the MySQL or MariaDB server's host name or IP address, e.g. "127.0.0.1"`),
		Port:     r.Port("port", 3306),
		Username: r.String("username", true, "a user with CREATE USER, CREATE, DROP and GRANT OPTION, e.g. root"),
		Password: r.String("password", false, ""),
		Database: r.String("database", false, ""),
		TLS:      r.String("tls", false, ""),
	}
	switch in.TLS {
	case "", "false", "true", "skip-verify", "preferred":
	default:
		r.Problemf("tls %q is not one of false, true, skip-verify, preferred", in.TLS)
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// SecretInputs names the inputs the platform seals at rest.
func (d *Driver) SecretInputs() []string { return []string{"password"} }
