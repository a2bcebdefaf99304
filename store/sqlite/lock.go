package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrInstanceLocked is returned by LockInstance when another process holds
// the database's instance lock.
var ErrInstanceLocked = errors.New("another sportel instance is running on this database")

// LockInstance takes the database's instance lock: an exclusive lock on the
// file beside it (PATH.lock), which the kernel lets go when the process
// dies, however it dies. A SQLite store belongs to one daemon on one host;
// holding the lock, that daemon knows every other job owner in the
// database is gone. An in-memory store needs no lock.
func (s *Store) LockInstance() (unlock func() error, err error) {
	if s.path == ":memory:" {
		return func() error { return nil }, nil
	}
	lockPath := s.path + ".lock"
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open instance lock %s: %w", lockPath, err)
	}
	// Created or left by root (`sportel store copy` run as root), the lock
	// would keep the service's user from starting: it belongs to the
	// database's owner.
	if err := giveToOwnerOf(lockPath, s.path); err != nil {
		f.Close()
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s is locked; stop the other `sportel run` first)", ErrInstanceLocked, lockPath)
		}
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	// The pid is for the operator's eyes only; the lock is the flock.
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
	return func() error {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return errors.Join(err, f.Close())
	}, nil
}
