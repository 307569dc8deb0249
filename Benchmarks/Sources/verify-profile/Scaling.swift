import BenchSupport
import JWTKit
import SimbeeJWT

/// Throughput of one verifier shared by two tasks against one task, outside the benchmark harness
/// (whose malloc interposer serialises allocation-heavy code): `verify-profile scaling <n>`.
///
/// In each round, every case (in a new random order) runs `n` verifications in one task and then
/// the same `n` split over two tasks; the ratio of the two times is that round's throughput gain.
/// A pair takes a fraction of a second, so load from elsewhere that comes and goes tends to hit
/// both halves of a pair or neither. Printed: the median of the per-round gains, the gain
/// computed from each side's best time, and the median over rounds of each case's two-task time
/// against the floor's two-task time in the same round (how much of a case's shortfall is its own
/// rather than the machine's, which the floor shares).
enum Scaling {
    /// Rounds per run.
    static let rounds = 31

    static func run(_ count: Int) async throws {
        let floor = Bench.OpenSSLFloor()
        let staticVerifier = Bench.staticVerifier()
        let remoteVerifier = await Bench.remoteVerifier()
        let keys = await Bench.jwtKitKeys()
        let cases: [(String, @Sendable () async -> Void)] = [
            ("OpenSSL floor ES256 (context duplicated per call)", { _ = floor.verifyES256Fresh() }),
            ("SimbeeJWT ES256, static set", { _ = try? await staticVerifier.verify(Bench.es256Token) }),
            ("SimbeeJWT ES256, JWKS cache hit", { _ = try? await remoteVerifier.verify(Bench.es256Token) }),
            (
                "jwt-kit 5.8.0 ES256 (actor key collection)",
                {
                    _ = try? await keys.verify(Bench.es256Token, as: Bench.SimbeePayload.self)
                }
            ),
        ]
        var one = [[Duration]](repeating: [], count: cases.count)
        var two = [[Duration]](repeating: [], count: cases.count)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<rounds {
            for index in Array(cases.indices).shuffled(using: &generator) {
                one[index].append(await time(count, tasks: 1, cases[index].1))
                two[index].append(await time(count, tasks: 2, cases[index].1))
            }
        }
        print("\(rounds) rounds of \(count) verifications per case and task count")
        print("")
        print(
            "| ES256, one verifier | 1 task, best (µs/verify) | 2 tasks, best (µs/verify) "
                + "| throughput ×(2 tasks / 1 task): median of rounds | from best times "
                + "| 2-task time / floor's, median of rounds |"
        )
        print("|---|---|---|---|---|---|")
        for (index, item) in cases.enumerated() {
            let gain = median(ratios(one[index], two[index]))
            let bestOne = one[index].min()!.microseconds / Double(count)
            let bestTwo = two[index].min()!.microseconds / Double(count)
            let againstFloor = median(ratios(two[index], two[0]))
            print(
                "| \(item.0) | \(format(bestOne)) | \(format(bestTwo)) | \(format(gain)) "
                    + "| \(format(bestOne / bestTwo)) | \(format3(againstFloor)) |"
            )
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

    /// Round by round, each time in `numerators` divided by the time in `denominators`.
    static func ratios(_ numerators: [Duration], _ denominators: [Duration]) -> [Double] {
        zip(numerators, denominators).map { $0.microseconds / $1.microseconds }
    }

    static func format(_ value: Double) -> String {
        String(Double(Int(value * 100)) / 100)
    }

    /// Three decimals, trailing zeros kept.
    static func format3(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

extension Duration {
    var microseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e6 + Double(attoseconds) / 1e12
    }
}
