import BenchSupport
import JWTKit
import SimbeeJWT

/// Wall-clock ratios that hold up on a shared machine: `verify-profile interleaved <rounds>`.
///
/// The benchmark harness runs one benchmark after another, so a neighbour's load that comes and goes
/// lands on some of them and not on others, and a ratio of two of them moves by ±10 % between runs
/// here. This mode instead runs every case for a short batch in each round, in a random order that
/// changes from round to round (a fixed order would always put the same case after the same
/// neighbour, whose cache and frequency after-effects then bias it), and computes each ratio within
/// one round: a slow patch slows both sides. A control case, the floor run a second time, shows
/// what an identical pair of cases measures as.
/// It prints the median of the per-round ratios, with the quartiles to show how much they spread.
enum Interleaved {
    private static let batch = 100

    private struct Case {
        let name: String
        let operation: () async -> Bool
    }

    private struct Comparison {
        let numerator: String
        let denominator: String
    }

    static func run(_ rounds: Int) async throws {
        let floor = Bench.OpenSSLFloor()
        let staticVerifier = Bench.staticVerifier()
        let remoteVerifier = await Bench.remoteVerifier()
        let keys = await Bench.jwtKitKeys()
        let cases = [
            Case(name: "ES256 floor: OpenSSL verify only") { floor.verifyES256() },
            Case(name: "ES256 SimbeeJWT verify (static set)") {
                (try? await staticVerifier.verify(Bench.es256Token)) != nil
            },
            Case(name: "ES256 SimbeeJWT verify (JWKS cache hit)") {
                (try? await remoteVerifier.verify(Bench.es256Token)) != nil
            },
            Case(name: "ES256 jwt-kit verify") {
                (try? await keys.verify(Bench.es256Token, as: Bench.SimbeePayload.self)) != nil
            },
            Case(name: "EdDSA floor: OpenSSL verify only") { floor.verifyEd25519() },
            Case(name: "ES256 floor again (control)") { floor.verifyES256() },
            Case(name: "ES256 SimbeeJWT parse only, no signature") { Bench.parseOnly(Bench.es256Token) > 0 },
            Case(name: "ES256 floor, then parse only") {
                floor.verifyES256() && Bench.parseOnly(Bench.es256Token) > 0
            },
            Case(name: "EdDSA SimbeeJWT verify (static set)") {
                (try? await staticVerifier.verify(Bench.eddsaToken)) != nil
            },
            Case(name: "EdDSA jwt-kit verify") {
                (try? await keys.verify(Bench.eddsaToken, as: Bench.SimbeePayload.self)) != nil
            },
        ]
        let comparisons = [
            Comparison(numerator: "ES256 floor again (control)", denominator: "ES256 floor: OpenSSL verify only"),
            Comparison(
                numerator: "ES256 SimbeeJWT verify (static set)",
                denominator: "ES256 floor: OpenSSL verify only"
            ),
            Comparison(
                numerator: "ES256 SimbeeJWT verify (JWKS cache hit)",
                denominator: "ES256 floor: OpenSSL verify only"
            ),
            Comparison(numerator: "ES256 jwt-kit verify", denominator: "ES256 floor: OpenSSL verify only"),
            Comparison(numerator: "ES256 SimbeeJWT verify (static set)", denominator: "ES256 jwt-kit verify"),
            Comparison(
                numerator: "EdDSA SimbeeJWT verify (static set)",
                denominator: "EdDSA floor: OpenSSL verify only"
            ),
            Comparison(numerator: "EdDSA jwt-kit verify", denominator: "EdDSA floor: OpenSSL verify only"),
            Comparison(numerator: "EdDSA SimbeeJWT verify (static set)", denominator: "EdDSA jwt-kit verify"),
        ]
        for item in cases {  // warm up, and check that every case really verifies
            for _ in 0..<batch {
                guard await item.operation() else { fatalError("\(item.name) failed to verify") }
            }
        }
        // perOp[case][round]: microseconds per operation.
        var perOp = [[Double]](repeating: [], count: cases.count)
        let clock = ContinuousClock()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<rounds {
            for index in Array(cases.indices).shuffled(using: &generator) {
                let start = clock.now
                for _ in 0..<batch { _ = await cases[index].operation() }
                perOp[index].append((clock.now - start).microseconds / Double(batch))
            }
        }
        print("\(rounds) rounds of \(batch) operations per case, cases in a new random order each round")
        print("")
        print("| case | median µs/op |")
        print("|---|---|")
        for (index, item) in cases.enumerated() {
            print("| \(item.name) | \(format(median(perOp[index]))) |")
        }
        // What the verifier adds to the floor, and what parsing costs on its own (the same code run
        // 100 times in a row, so cached) and right after an OpenSSL verification (which runs through
        // more code than the instruction cache holds, so the parser's code is fetched again).
        let differences = [
            Comparison(
                numerator: "ES256 SimbeeJWT verify (static set)",
                denominator: "ES256 floor: OpenSSL verify only"
            ),
            Comparison(numerator: "ES256 floor, then parse only", denominator: "ES256 floor: OpenSSL verify only"),
        ]
        print("")
        print("| extra time, within each round | median µs | quartiles |")
        print("|---|---|---|")
        // The two sides of `comparison` combined within each round, one value per round.
        func perRound(_ comparison: Comparison, _ combine: (Double, Double) -> Double) -> [Double] {
            let numerator = cases.firstIndex { $0.name == comparison.numerator }!
            let denominator = cases.firstIndex { $0.name == comparison.denominator }!
            return (0..<rounds).map { combine(perOp[numerator][$0], perOp[denominator][$0]) }
        }
        for comparison in differences {
            let extra = perRound(comparison, -).sorted()
            print(
                "| \(comparison.numerator) − \(comparison.denominator) | \(format(median(extra))) "
                    + "| \(format(extra[rounds / 4])) – \(format(extra[rounds * 3 / 4])) |"
            )
        }
        print("")
        print("| ratio, within each round | median | quartiles | rounds ≤ 1.03 |")
        print("|---|---|---|---|")
        for comparison in comparisons {
            let ratios = perRound(comparison, /)
            let sorted = ratios.sorted()
            let within = ratios.filter { $0 <= 1.03 }.count
            print(
                "| \(comparison.numerator) / \(comparison.denominator) | \(format(median(ratios), places: 3)) "
                    + "| \(format(sorted[rounds / 4], places: 3)) – \(format(sorted[rounds * 3 / 4], places: 3)) "
                    + "| \(within)/\(rounds) |"
            )
        }
    }

    private static func format(_ value: Double, places: Int = 2) -> String {
        let scale = places == 3 ? 1000.0 : 100.0
        return String((value * scale).rounded() / scale)
    }
}
