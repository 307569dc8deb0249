import BenchSupport
import JWTKit
import SimbeeJWT

/// Throughput of one verifier shared by two tasks against one task, outside the benchmark harness
/// (whose malloc interposer serialises allocation-heavy code): `verify-profile scaling <n>`.
/// Each case runs `n` verifications in one task, then `n` split over two tasks, three times
/// interleaved; the best time of each is kept.
enum Scaling {
    static func run(_ count: Int) async throws {
        let floor = Bench.OpenSSLFloor()
        let staticVerifier = Bench.staticVerifier()
        let remoteVerifier = await Bench.remoteVerifier()
        let keys = await Bench.jwtKitKeys()
        let cases: [(String, @Sendable () async -> Void)] = [
            ("OpenSSL floor ES256 (context duplicated per call)", { _ = floor.verifyES256Fresh() }),
            ("SimbeeJWT ES256, static set", { _ = try? await staticVerifier.verify(Bench.es256Token) }),
            ("SimbeeJWT ES256, JWKS cache hit", { _ = try? await remoteVerifier.verify(Bench.es256Token) }),
            ("jwt-kit 5.8.0 ES256 (actor key collection)", {
                _ = try? await keys.verify(Bench.es256Token, as: Bench.SimbeePayload.self)
            }),
        ]
        print("| ES256, one verifier | 1 task (µs/verify) | 2 tasks (µs/verify) | throughput ×(2 tasks / 1 task) |")
        print("|---|---|---|---|")
        for (name, operation) in cases {
            var one = Duration.seconds(1_000_000)
            var two = Duration.seconds(1_000_000)
            for _ in 0..<3 {
                one = min(one, await time(count, tasks: 1, operation))
                two = min(two, await time(count, tasks: 2, operation))
            }
            let perOne = one.microseconds / Double(count)
            let perTwo = two.microseconds / Double(count)
            print("| \(name) | \(format(perOne)) | \(format(perTwo)) | \(format(perOne / perTwo)) |")
        }
    }

    static func time(_ count: Int, tasks: Int, _ operation: @escaping @Sendable () async -> Void) async -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    for _ in 0..<(count / tasks) { await operation() }
                }
            }
        }
        return clock.now - start
    }

    static func format(_ value: Double) -> String {
        String(Double(Int(value * 100)) / 100)
    }
}

extension Duration {
    var microseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e6 + Double(attoseconds) / 1e12
    }
}
