package testutil

import (
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
