#if os(Linux)
import Glibc
import WebSocketAttackSupport

// The attack probe: runs one attack against our server in this process and prints its figures as
// `key=value` lines. The attack tests (Tests/AttackTests) run it as a child process so that the
// memory figures measure this attack alone, not the tests running beside it.
//
//   AttackProbe fragments [COUNT]    1-byte fragments of a never-finished message
//   AttackProbe huge-length          headers claiming 2^63-1, 2^63 and (no limits) 2^62 bytes
//   AttackProbe deflate-bomb         a ~1 GiB permessage-deflate bomb (needs the plugin)

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "fragments":
        try await FragmentsAttack.run(count: arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000)
    case "huge-length":
        try await HugeLengthAttack.run()
    case "deflate-bomb":
        try await DeflateBombAttack.run()
    default:
        print("usage: AttackProbe fragments [COUNT] | huge-length | deflate-bomb")
        exit(2)
    }
} catch {
    print("error=\(error)")
    exit(1)
}
#else
print("AttackProbe runs on Linux only (it reads /proc and glibc's malloc statistics)")
#endif
