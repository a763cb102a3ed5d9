//go:build !linux

package overload

// IdleCPU returns a func that reports the share of the process's CPUs
// that went unused since its previous call and that it could have had.
// Off Linux it cannot tell, and reports none: the scheduling latency alone
// decides.
func IdleCPU() func() float64 { return func() float64 { return 0 } }
