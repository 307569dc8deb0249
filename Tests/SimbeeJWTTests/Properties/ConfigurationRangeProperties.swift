import Foundation
import PropertyBased
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// Every configuration value that is a duration, a number of seconds or a count, over the whole
/// range of its type: a value inside its documented range is accepted, any other is refused with
/// `invalid_configuration`, and nothing traps (a trap would end the test process).
@Suite("Properties: configuration values over their whole range")
struct ConfigurationRangeProperties {
    /// Doubles of every kind: random bit patterns (NaNs, infinities, subnormals, every exponent),
    /// and values at and around the boundaries that matter.
    static let doubles = Generator<Double, Shrink.None<Double>>(run: { rng in
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return Double(bitPattern: UInt64.random(in: .min ... .max, using: &rng))
        case 1:
            return [
                .nan, -.nan, .signalingNaN, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude,
                -.leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e19, -1e19,
                1e30, -1e30, 1e300, 9e18, 9.000000000000001e18, 9.3e18, 300, 300.000001, 3600, 120, 1e-9,
            ].randomElement(using: &rng)!
        default:
            return Double.random(in: -1e6...1e6, using: &rng)
        }
    })

    /// Durations of every size: random components, `Duration`'s extremes (whole seconds beyond
    /// `Int64`), and one nanosecond either side of every configuration boundary.
    static let durations = Generator<Duration, Shrink.None<Duration>>(run: { rng in
        let boundaries: [Duration] = [
            .zero, .seconds(1), .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(3_600),
            .seconds(86_400), .seconds(7 * 86_400), .seconds(30 * 86_400),
        ]
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            return Duration(
                secondsComponent: Int64.random(in: .min ... .max, using: &rng),
                attosecondsComponent: Int64.random(in: 0..<1_000_000_000_000_000_000, using: &rng)
            )
        case 1:
            // Up to about ±1.7e20 seconds: beyond what Duration.components can return.
            let extreme = Duration.seconds(Int64.max) * Int.random(in: 1...18, using: &rng)
            return Bool.random(using: &rng) ? extreme : .zero - extreme
        case 2:
            return boundaries.randomElement(using: &rng)! + .nanoseconds(Int.random(in: -1...1, using: &rng))
        default:
            return .milliseconds(Int64.random(in: -10_000_000...10_000_000, using: &rng))
        }
    })

    @Test("Duration(checkedSeconds:) takes exactly the finite doubles a Duration holds, to the nanosecond")
    func checkedSeconds() async {
        await propertyCheck(count: 2000, input: Self.doubles) { seconds in
            let duration = Duration(checkedSeconds: seconds)
            let representable = seconds.isFinite && seconds.magnitude <= Duration.largestConvertibleSeconds
            #expect((duration != nil) == representable, "\(seconds)")
            if let duration {
                let error = (duration.inSeconds - seconds).magnitude
                #expect(error <= max(1e-9, seconds.magnitude * 1e-15), "\(seconds) → \(duration)")
            }
        }
    }

    @Test("Duration.inSeconds never traps, and is ±infinity only beyond Int64 seconds")
    func inSeconds() async {
        await propertyCheck(count: 2000, input: Self.durations) { duration in
            let seconds = duration.inSeconds
            let fits = duration >= .seconds(Int64.min) && duration <= .seconds(Int64.max)
            #expect(seconds.isFinite == fits, "\(duration)")
            #expect(seconds.sign == (duration < .zero ? .minus : .plus) || seconds == 0, "\(duration)")
        }
    }

    /// Runs `make` and reports whether it was accepted; fails the test for any error other than
    /// `invalid_configuration`.
    static func accepted(_ make: () throws(JWTError) -> Void, _ comment: String) -> Bool {
        do {
            try make()
            return true
        } catch {
            #expect(error.code == .invalidConfiguration, "\(comment): \(error)")
            return false
        }
    }

    @Test("ClaimsPolicy.leeway: accepted exactly in 0…300 s, whether set in init or afterwards")
    func leeway() async {
        let keys = try! TestSupport.fixtureKeySet()
        await propertyCheck(count: 1000, input: Self.durations) { leeway in
            let expected = leeway >= .zero && leeway <= .seconds(300)
            let viaInit = Self.accepted(
                { () throws(JWTError) in
                    _ = try JWTVerifier(keys: keys, configuration: .init(claims: ClaimsPolicy(leeway: leeway)))
                },
                "init \(leeway)"
            )
            var policy = ClaimsPolicy()
            policy.leeway = leeway
            let viaSetter = Self.accepted(
                { () throws(JWTError) in
                    _ = try JWTVerifier(keys: keys, configuration: .init(claims: policy))
                },
                "setter \(leeway)"
            )
            #expect(viaInit == expected, "\(leeway)")
            #expect(viaSetter == expected, "\(leeway)")
        }
    }

    /// Each duration of `RemoteJWKS.Configuration` with its accepted range when the others keep
    /// their defaults.
    static var remoteDurations:
        [(name: String, path: WritableKeyPath<RemoteJWKS.Configuration, Duration>, accepts: (Duration) -> Bool)]
    {
        [
            ("defaultTTL", \.defaultTTL, { $0 >= .seconds(300) && $0 <= .seconds(86_400) }),
            ("minimumTTL", \.minimumTTL, { $0 > .zero && $0 <= .seconds(600) }),
            ("maximumTTL", \.maximumTTL, { $0 >= .seconds(600) && $0 <= .seconds(30 * 86_400) }),
            ("unknownKeyCooldown", \.unknownKeyCooldown, { $0 >= .zero && $0 <= .seconds(3_600) }),
            ("maximumStaleness", \.maximumStaleness, { $0 >= .zero && $0 <= .seconds(7 * 86_400) }),
            ("startupJitter", \.startupJitter, { $0 >= .zero && $0 <= .seconds(60) }),
            ("initialBackoff", \.initialBackoff, { $0 > .zero && $0 <= .seconds(60) }),
            ("maximumBackoff", \.maximumBackoff, { $0 >= .seconds(1) && $0 <= .seconds(3_600) }),
            ("connectTimeout", \.connectTimeout, { $0 > .zero && $0 <= .seconds(60) }),
            ("requestTimeout", \.requestTimeout, { $0 > .zero && $0 <= .seconds(120) }),
        ]
    }

    @Test("RemoteJWKS.Configuration durations: each accepted exactly in its documented range")
    func remoteJWKSDurations() async {
        await propertyCheck(count: 300, input: Self.durations) { value in
            for (name, path, accepts) in Self.remoteDurations {
                var configuration = RemoteJWKS.Configuration()
                configuration[keyPath: path] = value
                let accepted = Self.accepted(
                    { () throws(JWTError) in
                        _ = try RemoteJWKS(url: "https://jwks.example/keys", configuration: configuration)
                    },
                    "\(name) \(value)"
                )
                #expect(accepted == accepts(value), "\(name) = \(value)")
            }
        }
    }

    @Test("RemoteJWKS.Configuration numbers: refresh window within 0.1…0.95, body 64 B…16 MiB, 1…10000 keys")
    func remoteJWKSNumbers() async {
        let integers = Generator<Int, Shrink.None<Int>>(run: { rng in
            [Int.min, -1, 0, 1, 63, 64, 65, 9_999, 10_000, 10_001, 16 << 20, (16 << 20) + 1, Int.max]
                .randomElement(using: &rng)!
        })
        await propertyCheck(count: 500, input: zip(Self.doubles, Self.doubles, integers)) { first, second, count in
            // Any window a ClosedRange can hold (infinite bounds included; NaN cannot form one):
            // only one inside 0.1…0.95 is accepted.
            if !first.isNaN, !second.isNaN {
                let window = min(first, second)...max(first, second)
                var configuration = RemoteJWKS.Configuration()
                configuration.refreshAheadWindow = window
                #expect(
                    Self.accepted(
                        { () throws(JWTError) in
                            _ = try RemoteJWKS(url: "https://jwks.example/keys", configuration: configuration)
                        },
                        "window \(window)"
                    ) == (window.lowerBound >= 0.1 && window.upperBound <= 0.95),
                    "refreshAheadWindow \(window)"
                )
            }
            for (name, path, range) in [
                ("maxBodyBytes", \RemoteJWKS.Configuration.maxBodyBytes, 64...(16 << 20)),
                ("maxKeys", \RemoteJWKS.Configuration.maxKeys, 1...10_000),
            ] {
                var configuration = RemoteJWKS.Configuration()
                configuration[keyPath: path] = count
                let accepted = Self.accepted(
                    { () throws(JWTError) in
                        _ = try RemoteJWKS(url: "https://jwks.example/keys", configuration: configuration)
                    },
                    "\(name) \(count)"
                )
                #expect(accepted == range.contains(count), "\(name) = \(count)")
            }
        }
    }

    @Test("verifier sizes and JWK Set limits over the whole Int range")
    func counts() async throws {
        let keys = try TestSupport.fixtureKeySet()
        let document = try TestSupport.fixture("jwks/simbee.jwks.json")
        let keyCount = try #require(
            (try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])?["keys"] as? [Any]
        ).count
        let integers = Generator<Int, Shrink.None<Int>>(run: { rng in
            Bool.random(using: &rng)
                ? Int.random(in: .min ... .max, using: &rng)
                : [
                    Int.min, -1, 0, 1, 14, 15, 16, 63, 64, 65, 10_000, 10_001, 1_000_000, 1_000_001, 64 << 10,
                    (64 << 10) - 1,
                    1 << 20, (1 << 20) + 1, 1 << 30, (1 << 30) + 1, 64 << 20, (64 << 20) + 1, Int.max,
                ].randomElement(using: &rng)!
        })
        await propertyCheck(count: 1000, input: integers) { value in
            var maxTokenBytes = JWTVerifier.Configuration()
            maxTokenBytes.maxTokenBytes = value
            #expect(
                Self.accepted(
                    { () throws(JWTError) in _ = try JWTVerifier(keys: keys, configuration: maxTokenBytes) },
                    "maxTokenBytes"
                ) == (64...(1 << 20)).contains(value),
                "maxTokenBytes \(value)"
            )

            var capacity = JWTVerifier.Configuration.TokenCache()
            capacity.capacity = value
            #expect(
                Self.accepted(
                    { () throws(JWTError) in
                        _ = try JWTVerifier(keys: keys, configuration: .init(tokenCache: capacity))
                    },
                    "capacity"
                ) == (1...1_000_000).contains(value),
                "capacity \(value)"
            )

            var bytes = JWTVerifier.Configuration.TokenCache()
            bytes.maxBytes = value
            #expect(
                Self.accepted(
                    { () throws(JWTError) in
                        _ = try JWTVerifier(keys: keys, configuration: .init(tokenCache: bytes))
                    },
                    "maxBytes"
                ) == ((64 << 10)...(1 << 30)).contains(value),
                "token cache maxBytes \(value)"
            )

            // Inside its range, a limit below the document's size or key count refuses the
            // document itself (invalid_key_set); outside it, the limit is refused.
            func expectKeySet(_ limits: JWKSet.Limits, inRange: Bool, fits: Bool, _ name: String) {
                do throws(JWTError) {
                    _ = try JWKSet(json: document, limits: limits)
                    #expect(inRange && fits, "JWKSet \(name) \(value)")
                } catch {
                    #expect(error.code == (inRange ? .invalidKeySet : .invalidConfiguration), "JWKSet \(name) \(value)")
                    #expect(!(inRange && fits), "JWKSet \(name) \(value): \(error)")
                }
            }
            var limits = JWKSet.Limits()
            limits.maxKeys = value
            expectKeySet(limits, inRange: (1...10_000).contains(value), fits: value >= keyCount, "maxKeys")
            limits = JWKSet.Limits()
            limits.maxBytes = value
            expectKeySet(limits, inRange: (1...(64 << 20)).contains(value), fits: value >= document.count, "maxBytes")
        }
    }

    @Test("HTTPJWKSFetcher: timeouts outside 0…24 h (0 excluded) are invalid_configuration before any I/O")
    func fetcherTimeouts() async throws {
        await propertyCheck(count: 500, input: zip(Self.durations, Gen.bool)) { value, isConnect in
            let inRange = value > .zero && value <= .seconds(86_400)
            guard !inRange else { return }  // in range, the fetcher would connect somewhere
            let request = JWKSFetchRequest(
                url: "http://127.0.0.1:9/",
                entityTag: nil,
                connectTimeout: isConnect ? value : .seconds(1),
                timeout: isConnect ? .seconds(1) : value,
                maxBodyBytes: 1024
            )
            let error = await #expect(throws: JWTError.self) { try await HTTPJWKSFetcher().fetch(request) }
            #expect(error?.code == .invalidConfiguration, "\(isConnect ? "connect " : "")timeout \(value)")
        }
        // In range at both ends: the request is made (to a closed port, so it fails otherwise).
        for value in [Duration.nanoseconds(1_000_000), .seconds(86_400)] {
            let request = JWKSFetchRequest(
                url: "http://127.0.0.1:9/",
                entityTag: nil,
                connectTimeout: .seconds(2),
                timeout: value,
                maxBodyBytes: 1024
            )
            do {
                _ = try await HTTPJWKSFetcher().fetch(request)
                Issue.record("a closed port answered")
            } catch let error as JWTError {
                Issue.record("timeout \(value) refused: \(error)")
            } catch {
                // The connection failed or timed out: the timeout itself was accepted.
            }
        }
    }
}
