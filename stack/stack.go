// Package stack grows a goroutine's stack ahead of a deep call.
package stack

// Grow grows the calling goroutine's stack at once to what a call to a
// downstream service reaches on its way to the network (the loaders, the
// resilience layers, the HTTP client: about 16 KiB), while the stack is
// still shallow. A new goroutine starts with a small stack, which the
// runtime doubles each time a call needs more, copying every frame below
// it: deep down a resolver's call, each copy walks dozens of frames
// (runtime.newstack was ~9% of the gateway's CPU per dashboard at
// GOGC=100). Here it copies one or two. A goroutine whose stack is large
// enough already only pays for clearing the pad.
func Grow() { pad(0) }

//go:noinline
func pad(i int) byte {
	var b [12 << 10]byte
	return b[i]
}
