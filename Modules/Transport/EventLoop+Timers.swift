extension EventLoop {
    /// Runs `task` on the loop thread once `delay` has passed on the loop's monotonic clock.
    ///
    /// Tasks with the same deadline run in the order they were scheduled. The loop sleeps until
    /// the nearest deadline (rounded up to the millisecond on epoll), so a task never runs early.
    /// Any thread.
    /// - Parameters:
    ///   - delay: how long to wait; zero or negative runs at the next loop iteration.
    ///   - task: the work.
    /// - Returns: a handle to ``Scheduled/cancel()`` the task.
    @discardableResult
    public func scheduleTask(in delay: Duration, _ task: @escaping @Sendable () -> Void) -> Scheduled {
        let deadline = Self.deadline(after: Self.nanoseconds(delay), from: Syscall.monotonicNanoseconds())
        let scheduled = Scheduled(loop: self, deadline: deadline, task: task)
        if inEventLoop {
            timers.insert(scheduled)
        } else {
            execute { [self] in
                if !scheduled.isDone { timers.insert(scheduled) }
            }
        }
        return scheduled
    }

    /// `delay` in nanoseconds, clamped to 0...`Int64.max` (about 292 years): a delay of
    /// `.seconds(.max)`, meaning "never", must not wrap around to a small number.
    static func nanoseconds(_ delay: Duration) -> UInt64 {
        let (seconds, attoseconds) = delay.components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 0 }
        guard seconds < 9_000_000_000 else { return UInt64(Int64.max) }
        let total = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        return total > 0 ? UInt64(total) : 0
    }

    /// `now` plus `nanoseconds`, saturating at the clock's end instead of wrapping into the past.
    static func deadline(after nanoseconds: UInt64, from now: UInt64) -> UInt64 {
        let (sum, overflow) = now.addingReportingOverflow(nanoseconds)
        return overflow ? .max : sum
    }

    /// How long until the nearest timer, nil when there is none.
    func nanosecondsUntilNextTimer() -> UInt64? {
        guard let first = timers.first else { return nil }
        let now = Syscall.monotonicNanoseconds()
        return first.deadline > now ? first.deadline - now : 0
    }

    /// Runs every timer whose deadline has passed, earliest first.
    func runExpiredTimers() {
        let now = Syscall.monotonicNanoseconds()
        while let first = timers.first, first.deadline <= now {
            _ = timers.popFirst()
            first.take()?()
        }
    }
}
