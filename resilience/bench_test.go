package resilience

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// BenchmarkDo measures what the layers add to one call that answers at once,
// with each layer's default on, against calling it bare (layers=off).
func BenchmarkDo(b *testing.B) {
	ok := func(context.Context) (string, error) { return "ok", nil }
	for _, p := range []struct {
		name   string
		policy Policy
	}{
		{"layers=off", Policy{Off: true}},
		{"layers=on", Policy{}},
		{"layers=on,hedge=50ms", Policy{Hedge: 50 * time.Millisecond}},
		{"layers=on,hedge=auto", Policy{HedgeAdaptive: true}},
	} {
		b.Run(p.name, func(b *testing.B) {
			s, _ := newTestService(p.policy)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					if _, err := Do(ctx, s, strconv.Itoa(i), ok); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
