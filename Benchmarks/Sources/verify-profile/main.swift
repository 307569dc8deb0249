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
        "usage: verify-profile es256-floor|eddsa-floor|es256|es256-remote|eddsa|es256-cached|parse|scaling|interleaved <iterations>"
    )
    exit(2)
}
let operation = arguments[1]
let done = DispatchSemaphore(value: 0)
// Detached: top-level code is main-actor isolated, and the main thread is about to block.
Task.detached { [operation, iterations] in
    if operation == "scaling" || operation == "interleaved" {
        try await operation == "scaling" ? Scaling.run(iterations) : Interleaved.run(iterations)
        done.signal()
        return
    }
    let floor = Bench.OpenSSLFloor()
    let verifier = Bench.staticVerifier()
    let cached = Bench.staticVerifier(tokenCache: true)
    _ = try await cached.verify(Bench.es256Token)
    // Only when measured: its server and refresh schedule would otherwise run beside every
    // operation, and their work grows with the run's length, so it would not cancel out between
    // the short and the long run that profile.sh subtracts.
    let remote = operation == "es256-remote" ? await Bench.remoteVerifier() : nil
    var checksum = 0
    for _ in 0..<iterations {
        switch operation {
        case "es256-floor": checksum &+= floor.verifyES256() ? 1 : 0
        case "eddsa-floor": checksum &+= floor.verifyEd25519() ? 1 : 0
        // The verified token is dropped unread: reading a member (`claims.audience`) made the
        // optimiser copy the claims out first, harness work that no floor case has.
        case "es256": _ = try await verifier.verify(Bench.es256Token); checksum &+= 1
        case "es256-remote": _ = try await remote!.verify(Bench.es256Token); checksum &+= 1
        case "eddsa": _ = try await verifier.verify(Bench.eddsaToken); checksum &+= 1
        case "es256-cached": _ = try await cached.verify(Bench.es256Token); checksum &+= 1
        case "parse": checksum &+= Bench.parseOnly(Bench.es256Token)
        default: fatalError("unknown operation \(operation)")
        }
    }
    print("\(operation) \(iterations) \(checksum)")
    done.signal()
}
done.wait()
