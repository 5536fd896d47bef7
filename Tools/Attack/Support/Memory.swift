#if os(Linux)  // /proc, glibc and Linux socket options: the attacks run on Linux
import CMallocStats
import Glibc
import Synchronization

/// The process's memory, as the attack figures report it.
public enum Memory {
    /// Bytes the allocator has handed out and not taken back (`mallinfo2`: arena bytes in use
    /// plus mmapped blocks), across all threads.
    public static func heapInUse() -> Int {
        Int(cmalloc_heap_in_use())
    }

    /// The resident set size now (`VmRSS`), in bytes.
    public static func residentSize() -> Int { statusField("VmRSS:") }

    /// The peak resident set size since the last ``resetPeak()`` (`VmHWM`), in bytes.
    public static func peakResidentSize() -> Int { statusField("VmHWM:") }

    /// Resets `VmHWM` to the current RSS (writes 5 to `/proc/self/clear_refs`, Linux ≥ 4.0).
    public static func resetPeak() {
        guard let file = fopen("/proc/self/clear_refs", "w") else { return }
        fputs("5", file)
        fclose(file)
    }

    /// Open file descriptors (`/proc/self/fd`).
    public static func openDescriptorCount() -> Int { directoryCount("/proc/self/fd") - 1 }

    /// Threads (`/proc/self/task`).
    public static func threadCount() -> Int { directoryCount("/proc/self/task") }

    static func directoryCount(_ path: String) -> Int {
        guard let directory = opendir(path) else { return -1 }
        defer { closedir(directory) }
        var count = 0
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while let entry = readdir(directory) {
            // Read d_name in place: glibc packs entries, so copying the 256-byte tuple would read
            // past the end of the buffer (Foundation's Process has that bug).
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { count += 1 }
        }
        return count
    }

    static func statusField(_ name: String) -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return -1 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, 256, file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix(name) else { continue }
            let kilobytes = text.dropFirst(name.count).split { $0 == " " || $0 == "\t" }.first.flatMap { Int($0) } ?? -1
            return kilobytes * 1024
        }
        return -1
    }
}

/// Samples ``Memory/heapInUse()`` on its own thread (every 200 µs) and keeps the maximum, so a
/// transient peak between two checks of the attacker is seen too.
public final class PeakSampler: @unchecked Sendable {
    private let peak = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)
    private var thread = pthread_t()

    /// Starts sampling.
    public init() {
        peak.store(Memory.heapInUse(), ordering: .relaxed)
        let box = Unmanaged.passRetained(self)
        pthread_create(&thread, nil, { argument in
            let sampler = Unmanaged<PeakSampler>.fromOpaque(argument!).takeRetainedValue()
            while sampler.running.load(ordering: .relaxed) {
                let now = Memory.heapInUse()
                if now > sampler.peak.load(ordering: .relaxed) { sampler.peak.store(now, ordering: .relaxed) }
                usleep(200)
            }
            return nil
        }, box.toOpaque())
    }

    /// Stops sampling; returns the highest heap in use seen.
    public func stop() -> Int {
        running.store(false, ordering: .relaxed)
        pthread_join(thread, nil)
        return Swift.max(peak.load(ordering: .relaxed), Memory.heapInUse())
    }
}

/// Bytes as MiB with two decimals, for the printed figures.
public func mebibytes(_ bytes: Int) -> String {
    let hundredths = (bytes * 100) / (1 << 20)
    let sign = hundredths < 0 ? "-" : ""
    let magnitude = abs(hundredths)
    return "\(sign)\(magnitude / 100).\(magnitude % 100 < 10 ? "0" : "")\(magnitude % 100) MiB"
}
#endif
