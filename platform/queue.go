package platform

// envQueue runs one environment's deployments one at a time, in the order
// they were queued. Deployments are in the store (status queued) before they
// enter the queue, so a crash loses none: recovery ends them as failed.
type envQueue struct {
	app, env string
	ids      []string
	running  bool
}

// track records that this process holds a deployment (queued or running)
// or no longer does.
func (p *Platform) track(id string, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.active[id] = true
	} else {
		delete(p.active, id)
	}
}

// holds reports whether this process holds a deployment.
func (p *Platform) holds(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.active[id]
}

// QueueDepth is how many deployments this server has queued and not
// started yet, over every environment.
func (p *Platform) QueueDepth() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, q := range p.queues {
		n += len(q.ids)
	}
	return n
}

// enqueue adds a deployment of app/env and starts the environment's worker
// if idle.
func (p *Platform) enqueue(app, env, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := envKey(app, env)
	q := p.queues[key]
	if q == nil {
		q = &envQueue{app: app, env: env}
		p.queues[key] = q
	}
	q.ids = append(q.ids, id)
	if q.running {
		return
	}
	q.running = true
	p.wg.Add(1)
	go p.work(key, q)
}

func (p *Platform) work(key string, q *envQueue) {
	defer p.wg.Done()
	for {
		p.mu.Lock()
		if len(q.ids) == 0 {
			q.running = false
			delete(p.queues, key)
			p.mu.Unlock()
			return
		}
		id := q.ids[0]
		q.ids = q.ids[1:]
		p.mu.Unlock()
		p.runDeployment(p.runCtx, q.app, q.env, id)
	}
}
