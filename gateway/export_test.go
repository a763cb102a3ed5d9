package gateway

// NewExecutor is newExecutor, for benchmarks of the executor alone.
var NewExecutor = newExecutor
