import BenchSupport
import Dispatch
import Foundation
import SimbeeJWT

// Runs one operation N times, for instruction counts under callgrind (see Scripts/profile.sh):
//   verify-profile <operation> <iterations>
// The main thread waits on a semaphore rather than running an async main: valgrind 3.19 crashes in
// dispatch's main-queue signal handling.
let arguments = CommandLine.arguments
guard arguments.count == 3, let iterations = Int(arguments[2]) else {
    print(
        "usage: verify-profile es256-floor|eddsa-floor|es256|es256-remote|eddsa|es256-cached|es256-unique|es256-counted|parse|token-cached|scaling|interleaved|cli <iterations>"
    )
    exit(2)
}
let operation = arguments[1]
let done = DispatchSemaphore(value: 0)
// Detached: top-level code is main-actor isolated, and the main thread is about to block.
Task.detached { [operation, iterations] in
    switch operation {
    case "scaling": try await Scaling.run(iterations)
    case "interleaved": try await Interleaved.run(iterations)
    case "cli": try await CommandLineTool.run(iterations)
    default: break
    }
    if ["scaling", "interleaved", "cli"].contains(operation) {
        done.signal()
        return
    }
    let floor = Bench.OpenSSLFloor()
    let verifier = Bench.staticVerifier()
    let cached = Bench.staticVerifier(tokenCache: true)
    let counted = Bench.staticVerifier(countingOutcomes: true)
    _ = try await cached.verify(Bench.es256Token)
    // Only when measured: its server and refresh schedule would otherwise run beside every
    // operation, and their work grows with the run's length, so it would not cancel out between
    // the short and the long run that profile.sh subtracts.
    // Not an optional: unwrapping one in the loop copied the whole verifier out of it on every
    // iteration (value-witness calls, retains and releases: harness work).
    let remote = operation == "es256-remote" ? await Bench.remoteVerifier() : verifier
    // A new token each time through a verifier with its token cache on, as the tool meets a stream
    // of distinct tokens: every verification misses the cache and is stored in it. The tokens are
    // minted before the loop, the same number whatever the iterations, so set-up cancels out.
    let unique = operation == "es256-unique" ? try UniqueTokens() : nil
    // `token()` with a fresh token in its cache, filled by one exchange with a loopback server.
    let tokens = operation == "token-cached" ? try await Bench.cachedTokenProvider() : nil
    // The name is resolved once: comparing it with each case's string on every iteration cost the
    // later cases two string comparisons per operation (about 60 instructions) that the first,
    // the floor, did not pay.
    enum Operation: String {
        case es256Floor = "es256-floor", eddsaFloor = "eddsa-floor", es256, es256Remote = "es256-remote", eddsa
        case es256Cached = "es256-cached", es256Unique = "es256-unique", es256Counted = "es256-counted", parse
        case tokenCached = "token-cached"
    }
    guard let chosen = Operation(rawValue: operation) else { fatalError("unknown operation \(operation)") }
    var checksum = 0
    for index in 0..<iterations {
        switch chosen {
        case .es256Floor: checksum &+= floor.verifyES256() ? 1 : 0
        case .eddsaFloor: checksum &+= floor.verifyEd25519() ? 1 : 0
        // The verified token is dropped unread: reading a member (`claims.audience`) made the
        // optimiser copy the claims out first, harness work that no floor case has.
        case .es256: _ = try await verifier.verify(Bench.es256Token); checksum &+= 1
        case .es256Remote: _ = try await remote.verify(Bench.es256Token); checksum &+= 1
        case .eddsa: _ = try await verifier.verify(Bench.eddsaToken); checksum &+= 1
        case .es256Cached: _ = try await cached.verify(Bench.es256Token); checksum &+= 1
        case .es256Unique: _ = try await unique!.verify(index); checksum &+= 1
        case .es256Counted: _ = try await counted.verify(Bench.es256Token); checksum &+= 1
        case .parse: checksum &+= Bench.parseOnly(Bench.es256Token)
        case .tokenCached: _ = try await tokens!.provider.token(); checksum &+= 1
        }
    }
    print("\(operation) \(iterations) \(checksum)")
    done.signal()
}
done.wait()
