import Foundation

// The soak test (`make soak`): N clients echo through our server for T seconds over loopback.
//
//   SoakTest [--connections N] [--seconds T] [--interval-ms MS]   drive a soak (the parent)
//   SoakTest --serve                                              the server under test (child)
//
// The server runs in a child process so that its file descriptors, threads and memory are its
// own; the parent reads them from /proc/<pid>. The run fails on any unexpected close or wrong
// echo, on file descriptors or threads not back to their starting counts once every client has
// closed, or on the server's RSS at the end exceeding its value after warm-up by more than 5%.

let arguments = CommandLine.arguments
if arguments.contains("--serve") {
    try SoakServer.serve()
} else {
    func option(_ name: String, _ fallback: Int) -> Int {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count,
              let value = Int(arguments[index + 1]) else { return fallback }
        return value
    }
    let settings = SoakSettings(
        connections: option("--connections", 200), seconds: option("--seconds", 180),
        intervalMilliseconds: option("--interval-ms", 100))
    let passed = try await SoakRun(settings).run()
    exit(passed ? 0 : 1)
}
