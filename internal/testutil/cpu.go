package testutil

import (
	"runtime/metrics"
	"syscall"
	"time"
)

// ProcessCPU is the user and system time this process has used so far.
// Benchmarks report it per operation beside wall time: on a shared
// two-core machine, CPU spent is steadier than time taken, and a commit
// waiting on the disk costs time but no CPU.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// GoroutinesCreated is how many goroutines this process has started so
// far: an exact counter of work that timings on a shared machine blur
// (database/sql starts one for each result set read in a transaction).
func GoroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
