package redis

import (
	"net"
	"strconv"

	driverinputs "paved.dev/paved/driver/inputs"
)

// inputs are a definition's driver_inputs, checked.
type inputs struct {
	Host     string
	Port     int
	Username string // "" means the default user
	Password string // secret: never logged, never in an error
}

func (in *inputs) addr() string { return net.JoinHostPort(in.Host, strconv.Itoa(in.Port)) }

func (in *inputs) user() string {
	if in.Username == "" {
		return "default"
	}
	return in.Username
}

func parseInputs(m map[string]any) (*inputs, error) {
	r := driverinputs.NewReader("redis", m)
	in := &inputs{
		Host:     r.String("host", true, `the Redis server's host name or IP address, e.g. "127.0.0.1"`),
		Port:     r.Port("port", 6379),
		Username: r.String("username", false, ""),
		Password: r.String("password", false, ""),
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// SecretInputs names the inputs the platform seals at rest.
func (d *Driver) SecretInputs() []string { return []string{"password"} }
