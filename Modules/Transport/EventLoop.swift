import Synchronization

/// One thread that waits on the poller (epoll on Linux, kqueue on Darwin) and runs everything
/// belonging to it: I/O callbacks of its channels, its timers, submitted tasks, and the jobs of
/// actors that use it as their executor (DESIGN.md §5: many connections per thread, no thread
/// hop per message).
///
/// Everything except ``execute(_:)``, ``tryExecute(_:)``, ``scheduleTask(in:_:)``,
/// ``Scheduled/cancel()``, ``inEventLoop`` and the shutdown methods must be called on the loop
/// thread. A loop runs until ``shutdownGracefully()`` or ``syncShutdown()``: the thread keeps
/// the loop alive until then.
public final class EventLoop: @unchecked Sendable {
    /// Something to run on the loop thread.
    enum LoopTask {
        case closure(@Sendable () -> Void)
        case job(UnownedJob)
        case taskJob(UnownedJob, UnownedTaskExecutor)
    }

    /// The run state, guarded by ``lock``.
    enum RunState {
        case running, stopping, stopped
    }

    /// The thread's name (truncated to 15 bytes by the system).
    public let name: String

    let poller = SystemPoller()
    /// The receive buffer every channel of this loop reads into.
    let readBuffer = ReadBuffer()
    /// The most bytes one ``ChannelHandler/channelRead(_:_:)`` hands over (the size of the
    /// loop's shared receive buffer): what a handler that pauses reads may still get in the
    /// read in progress.
    public static let readBufferSize = ReadBuffer.size
    /// Guards ``pending``, ``state``, ``thread``/``started``/``finished``/``joined`` and every
    /// ``Scheduled`` task.
    let lock = Lock()

    // Guarded by `lock`.
    private var pending: [LoopTask] = []
    private var state = RunState.running
    private var started = false
    private var finished = false
    private var joined = false
    /// Written by the loop thread before `init` returns; constant afterwards.
    private var thread: ThreadHandle?

    // Loop thread only.
    var timers = TimerHeap()
    #if DEBUG
    var registrations = RegistrationTable()
    #else
    /// Looked up for every event: no dynamic exclusivity check in release builds (see
    /// ``Channel``'s hot properties for the reason and the measurement).
    @exclusivity(unchecked) var registrations = RegistrationTable()
    #endif
    /// Work queued with ``deferToEndOfRound(_:)``, and the array it is swapped into to run.
    #if DEBUG
    var deferred: [any LoopDeferredWork] = []
    var deferredBatch: [any LoopDeferredWork] = []
    #else
    /// Appended to once per flush of a task-based connection: no dynamic exclusivity check in
    /// release builds (as `registrations`).
    @exclusivity(unchecked) var deferred: [any LoopDeferredWork] = []
    @exclusivity(unchecked) var deferredBatch: [any LoopDeferredWork] = []
    #endif
    /// Channels that stopped reading during this turn: their poller interest is updated once,
    /// just before the next poll (see ``Channel/isReadEnabled``).
    var channelsToResync: [Channel] = []
    /// True while the loop closes its registrations on the way out: nothing new may register.
    var isFinishing = false
    /// Serializes actor jobs that arrive after the thread ended (see `EventLoop+Executor`).
    let orphans = OrphanJobs()
    /// The loop thread's ``Syscall/currentThreadIdentity()`` while it runs, 0 before and after
    /// (see ``inEventLoop``). Last among the stored properties: those after an `Atomic` are
    /// reached through an offset loaded first.
    private let threadIdentity = Atomic<UInt>(0)

    /// Starts a loop on a new thread.
    /// - Parameter name: the thread's name, for debuggers and `top -H`.
    public init(name: String = "ws-loop") {
        self.name = name
        do {
            _ = try Syscall.spawnThread(name: name) { [self] in threadMain() }
            lock.wait { started }
        } catch {
            state = .stopped
            finished = true
        }
    }

    deinit {
        // Reached only after the thread ended (it holds the loop) or never started.
        if let thread, !joined { Syscall.detach(thread) }
    }

    /// Starts `count` loops named `ws-loop-0`, `ws-loop-1`, …, e.g. one per core.
    /// - Parameters:
    ///   - count: the number of loops (at least one is made).
    ///   - name: the prefix of the threads' names.
    public static func makeGroup(count: Int, name: String = "ws-loop") -> [EventLoop] {
        (0..<max(1, count)).map { EventLoop(name: "\(name)-\($0)") }
    }

    /// Whether the calling thread is this loop's thread.
    ///
    /// False everywhere once the loop's thread has ended: a new thread may get the handle of a
    /// joined one (glibc reuses the descriptor with the stack), and it must not pass for the
    /// loop (a `send` would run the loop's code on it).
    public var inEventLoop: Bool {
        let identity = threadIdentity.load(ordering: .relaxed)
        return identity != 0 && identity == Syscall.currentThreadIdentity()
    }

    /// Whether the loop still accepts tasks (it has not finished shutting down).
    public var isRunning: Bool {
        lock.withLock { state != .stopped }
    }

    /// Runs `task` on the loop thread, after the tasks submitted before it (FIFO). Any thread.
    ///
    /// A task submitted after the loop stopped is dropped; use ``tryExecute(_:)`` to find out.
    /// - Parameter task: the work.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        _ = enqueue(.closure(task))
    }

    /// Runs `task` now when called on the loop thread, else like ``execute(_:)``: for work
    /// that must run on the loop but need not wait its turn behind the tasks already queued
    /// (the caller on the loop is in the middle of its own work, which `task` then joins).
    /// - Parameter task: the work.
    public func executeHereOrEnqueue(_ task: @escaping @Sendable () -> Void) {
        if inEventLoop { task() } else { execute(task) }
    }

    /// Like ``execute(_:)``, reporting whether the task was accepted.
    /// - Returns: false when the loop has stopped and the task will never run.
    @discardableResult
    public func tryExecute(_ task: @escaping @Sendable () -> Void) -> Bool {
        enqueue(.closure(task))
    }

    func enqueue(_ task: LoopTask) -> Bool {
        let onLoop = inEventLoop
        let (accepted, wake) = lock.withLock { () -> (Bool, Bool) in
            guard state != .stopped else { return (false, false) }
            let wasEmpty = pending.isEmpty
            pending.append(task)
            return (true, wasEmpty && !onLoop)
        }
        if wake { poller.wakeup() }
        return accepted
    }

    // MARK: Shutdown

    /// Asks the loop to stop and returns at once. The loop runs the tasks already submitted,
    /// closes every channel (``ChannelHandler/channelInactive(_:error:)`` with
    /// ``TransportError/Kind/eventLoopShutdown``) and listener, fails pending connects, drops
    /// pending timers, and ends its thread. Idempotent; any thread.
    public func shutdownGracefully() {
        let wake = lock.withLock { () -> Bool in
            guard state == .running else { return false }
            state = .stopping
            return true
        }
        if wake { poller.wakeup() }
    }

    /// ``shutdownGracefully()``, then waits for the thread to end. Idempotent; any thread. On the
    /// loop's own thread it cannot wait and returns after starting the shutdown.
    public func syncShutdown() {
        shutdownGracefully()
        guard !inEventLoop else { return }
        lock.wait { finished }
        let join = lock.withLock { () -> ThreadHandle? in
            guard !joined, let thread else { return nil }
            joined = true
            return thread
        }
        if let join { Syscall.join(join) }
    }

    // MARK: The loop

    private func threadMain() {
        threadIdentity.store(Syscall.currentThreadIdentity(), ordering: .relaxed)
        lock.withLockBroadcasting {
            thread = Syscall.currentThread()
            started = true
        }
        run()
        finish()
        threadIdentity.store(0, ordering: .relaxed)
        lock.withLockBroadcasting {
            state = .stopped
            finished = true
        }
    }

    private func run() {
        var batch: [LoopTask] = []
        batch.reserveCapacity(64)
        while true {
            let idle = lock.withLock { pending.isEmpty && state == .running }
            let timeout = idle ? nanosecondsUntilNextTimer() : 0
            do {
                try poller.poll(timeoutNanoseconds: timeout) { event in
                    registrations[event.id]?.handleEvent(event)
                }
            } catch {
                lock.withLock { state = .stopping }
            }
            runExpiredTimers()
            // Work queued by this turn's tasks (a handler's reply and the flush it scheduled)
            // runs in the same turn, up to a few rounds, instead of after another poll.
            for _ in 0..<Self.taskRoundsPerTurn {
                guard runPendingTasks(&batch) else { return }
                guard lock.withLock({ !pending.isEmpty }) else { break }
            }
            resyncInterest()
        }
    }

    /// Brings the poller up to date for channels that disabled reading during the turn and did
    /// not enable it again (a handler that caught up within the turn costs no system call).
    private func resyncInterest() {
        guard !channelsToResync.isEmpty else { return }
        let channels = channelsToResync
        channelsToResync.removeAll(keepingCapacity: true)
        for channel in channels {
            channel.isResyncScheduled = false
            channel.updateInterest()
        }
    }

    /// How many rounds of newly queued tasks one loop turn runs before polling again: enough
    /// for a reply and its flush, few enough that sockets are never starved.
    static let taskRoundsPerTurn = 4

    /// Runs the tasks submitted so far, then the work they deferred to the end of the round.
    /// Returns false once a shutdown was requested.
    private func runPendingTasks(_ batch: inout [LoopTask]) -> Bool {
        let keepRunning = lock.withLock { () -> Bool in
            swap(&pending, &batch)
            return state == .running
        }
        for task in batch {
            switch task {
            case .closure(let body): body()
            case .job(let job): job.runSynchronously(on: asUnownedSerialExecutor())
            case .taskJob(let job, let executor): job.runSynchronously(on: executor)
            }
        }
        batch.removeAll(keepingCapacity: true)
        runDeferredWork()
        return keepRunning
    }

    /// Closes every registration, runs what that submitted, and refuses everything after.
    private func finish() {
        isFinishing = true
        for registration in registrations.all {
            registration.loopWillShutDown()
        }
        registrations.removeAll()
        var batch: [LoopTask] = []
        for _ in 0..<16 where lock.withLock({ !pending.isEmpty }) {
            _ = runPendingTasks(&batch)
        }
        let leftover = lock.withLock { () -> [LoopTask] in
            state = .stopped
            defer { pending.removeAll() }
            return pending
        }
        // Accepted before the loop stopped, so they run (``tryExecute(_:)`` promised it; a task
        // may be all that resumes a waiter), once: what they submit now is refused.
        for task in leftover {
            switch task {
            case .job(let job), .taskJob(let job, _): orphans.run(job, on: self)
            case .closure(let body): body()
            }
        }
        for timer in timers.removeAll() { _ = timer.take() }
    }
}
