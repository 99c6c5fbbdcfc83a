package api

import (
	"context"
	"net/http"
	"net/url"

	"paved.dev/paved"
)

func (c *Client) GetTeam(ctx context.Context, name string) (*paved.Team, error) {
	p, err := path("/api/teams/%s", name)
	if err != nil {
		return nil, err
	}
	var t paved.Team
	if err := c.do(ctx, http.MethodGet, p, nil, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

func (c *Client) UpdateTeam(ctx context.Context, name string, up paved.TeamUpdate) (*paved.Team, error) {
	p, err := path("/api/teams/%s", name)
	if err != nil {
		return nil, err
	}
	var t paved.Team
	if err := c.do(ctx, http.MethodPatch, p, nil, up, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

func (c *Client) DeleteTeam(ctx context.Context, name string) error {
	p, err := path("/api/teams/%s", name)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, p, nil, nil, nil)
}

func (c *Client) DeleteUser(ctx context.Context, name string) error {
	p, err := path("/api/users/%s", name)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, p, nil, nil, nil)
}

func (c *Client) UpdateApp(ctx context.Context, name string, up paved.AppUpdate) (*paved.App, error) {
	p, err := path("/api/apps/%s", name)
	if err != nil {
		return nil, err
	}
	var a paved.App
	if err := c.do(ctx, http.MethodPatch, p, nil, up, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

func (c *Client) DeleteApp(ctx context.Context, name string, cascade bool) (*paved.AppDeletion, error) {
	p, err := path("/api/apps/%s", name)
	if err != nil {
		return nil, err
	}
	var q url.Values
	if cascade {
		q = url.Values{"cascade": {"true"}}
	}
	var out paved.AppDeletion
	if err := c.do(ctx, http.MethodDelete, p, q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) DeleteEnvironment(ctx context.Context, app, env string, opt paved.DeleteOptions) (*paved.EnvironmentDeletion, error) {
	p, err := path("/api/apps/%s/envs/%s", app, env)
	if err != nil {
		return nil, err
	}
	var q url.Values
	if opt.Force {
		q = url.Values{"force": {"true"}}
	}
	var out paved.EnvironmentDeletion
	if err := c.do(ctx, http.MethodDelete, p, q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) ExtendEnvironment(ctx context.Context, app, env string, ttl paved.Duration) (*paved.Environment, error) {
	p, err := path("/api/apps/%s/envs/%s/extend", app, env)
	if err != nil {
		return nil, err
	}
	var out paved.Environment
	if err := c.do(ctx, http.MethodPost, p, nil, ExtendRequest{TTL: ttl}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) RollbackEnvironment(ctx context.Context, app, env string) (*paved.Deployment, error) {
	p, err := path("/api/apps/%s/envs/%s/rollback", app, env)
	if err != nil {
		return nil, err
	}
	var d paved.Deployment
	if err := c.do(ctx, http.MethodPost, p, nil, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func (c *Client) RemoveTarget(ctx context.Context, name string) error {
	p, err := path("/api/targets/%s", name)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, p, nil, nil, nil)
}

func (c *Client) DeleteDefinition(ctx context.Context, id string) (*paved.ResourceDefinition, error) {
	p, err := path("/api/definitions/%s", id)
	if err != nil {
		return nil, err
	}
	var d paved.ResourceDefinition
	if err := c.do(ctx, http.MethodDelete, p, nil, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}
