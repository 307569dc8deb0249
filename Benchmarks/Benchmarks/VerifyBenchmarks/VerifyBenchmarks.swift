import BenchSupport
import Benchmark
import JWTKit
import SimbeeJWT

/// SimbeeJWT beside the OpenSSL floor and vapor/jwt-kit 5.8.0, on the same fixture tokens and keys.
/// Names start with the algorithm so that `compare.sh` can pair them.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .instructions, .mallocCountTotal],
        warmupIterations: 50,
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 20_000
    )

    let floor = Bench.OpenSSLFloor()

    // MARK: OpenSSL floor (same signature, same key, nothing else)

    Benchmark("ES256 floor: OpenSSL verify only") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(floor.verifyES256()) }
    }
    Benchmark("EdDSA floor: OpenSSL verify only") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(floor.verifyEd25519()) }
    }

    // MARK: SimbeeJWT full verify (parse, key lookup, signature, claims), token cache off

    Benchmark("ES256 SimbeeJWT verify (static set)") { benchmark, verifier in
        for _ in benchmark.scaledIterations { blackHole(try await verifier.verify(Bench.es256Token)) }
    } setup: {
        Bench.staticVerifier()
    }
    Benchmark("EdDSA SimbeeJWT verify (static set)") { benchmark, verifier in
        for _ in benchmark.scaledIterations { blackHole(try await verifier.verify(Bench.eddsaToken)) }
    } setup: {
        Bench.staticVerifier()
    }
    Benchmark("ES256 SimbeeJWT verify (JWKS cache hit)") { benchmark, verifier in
        for _ in benchmark.scaledIterations { blackHole(try await verifier.verify(Bench.es256Token)) }
    } setup: {
        await Bench.remoteVerifier()
    }
    Benchmark("EdDSA SimbeeJWT verify (JWKS cache hit)") { benchmark, verifier in
        for _ in benchmark.scaledIterations { blackHole(try await verifier.verify(Bench.eddsaToken)) }
    } setup: {
        await Bench.remoteVerifier()
    }

    // MARK: Verified-token cache (the same token again, as Simbee clients send it)

    Benchmark("ES256 SimbeeJWT verified-token cache hit") { benchmark, verifier in
        for _ in benchmark.scaledIterations { blackHole(try await verifier.verify(Bench.es256Token)) }
    } setup: {
        let verifier = Bench.staticVerifier(tokenCache: true)
        _ = try await verifier.verify(Bench.es256Token)
        return verifier
    }

    // MARK: jwt-kit 5.8.0, equivalent claim checks

    Benchmark("ES256 jwt-kit verify") { benchmark, keys in
        for _ in benchmark.scaledIterations {
            blackHole(try await keys.verify(Bench.es256Token, as: Bench.SimbeePayload.self))
        }
    } setup: {
        await Bench.jwtKitKeys()
    }
    Benchmark("EdDSA jwt-kit verify") { benchmark, keys in
        for _ in benchmark.scaledIterations {
            blackHole(try await keys.verify(Bench.eddsaToken, as: Bench.SimbeePayload.self))
        }
    } setup: {
        await Bench.jwtKitKeys()
    }

    // MARK: Scaling: 64 verifications per iteration, in one task or split over two

    let batch = 64
    Benchmark("ES256 SimbeeJWT 64 verifies, 1 task (static set)") { benchmark, verifier in
        for _ in benchmark.scaledIterations {
            for _ in 0..<batch { blackHole(try await verifier.verify(Bench.es256Token)) }
        }
    } setup: {
        Bench.staticVerifier()
    }
    Benchmark("ES256 SimbeeJWT 64 verifies, 2 tasks (static set)") { benchmark, verifier in
        for _ in benchmark.scaledIterations {
            try await twoTasks(batch) { blackHole(try await verifier.verify(Bench.es256Token)) }
        }
    } setup: {
        Bench.staticVerifier()
    }
    Benchmark("ES256 SimbeeJWT 64 verifies, 1 task (JWKS cache hit)") { benchmark, verifier in
        for _ in benchmark.scaledIterations {
            for _ in 0..<batch { blackHole(try await verifier.verify(Bench.es256Token)) }
        }
    } setup: {
        await Bench.remoteVerifier()
    }
    Benchmark("ES256 SimbeeJWT 64 verifies, 2 tasks (JWKS cache hit)") { benchmark, verifier in
        for _ in benchmark.scaledIterations {
            try await twoTasks(batch) { blackHole(try await verifier.verify(Bench.es256Token)) }
        }
    } setup: {
        await Bench.remoteVerifier()
    }
    Benchmark("ES256 jwt-kit 64 verifies, 1 task") { benchmark, keys in
        for _ in benchmark.scaledIterations {
            for _ in 0..<batch { blackHole(try await keys.verify(Bench.es256Token, as: Bench.SimbeePayload.self)) }
        }
    } setup: {
        await Bench.jwtKitKeys()
    }
    Benchmark("ES256 jwt-kit 64 verifies, 2 tasks") { benchmark, keys in
        for _ in benchmark.scaledIterations {
            try await twoTasks(batch) { blackHole(try await keys.verify(Bench.es256Token, as: Bench.SimbeePayload.self)) }
        }
    } setup: {
        await Bench.jwtKitKeys()
    }

    // MARK: Stages

    Benchmark("Parse header and claims, no signature (ES256 token)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Bench.parseOnly(Bench.es256Token)) }
    }
    Benchmark("Base64url decode of a signature segment") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Bench.decodeSignatureSegment(Bench.es256Token)) }
    }
    Benchmark("JWK Set import (fixture set: 4 usable, 11 skipped keys)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Bench.importKeySet()) }
    }
}

/// Runs `count` operations split evenly over two child tasks.
func twoTasks(_ count: Int, _ operation: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<2 {
            group.addTask {
                for _ in 0..<(count / 2) { try await operation() }
            }
        }
        try await group.waitForAll()
    }
}
