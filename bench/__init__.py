"""make bench: speed, latency, idle cost, memory and start-up of focus, the floor and a peer."""
