import Foundation
import SimbeeJWTFuzzChecks
import Testing

@_spi(Testing) @testable import SimbeeJWT

// One test per row of the attack catalogue (`shared/ATTACKS.md`) that the verifier layer owns.
//
// Not here, covered elsewhere: row 14 (SSRF via key URLs) and row 24 (JWKS refetch storms) belong
// to the remote JWKS cache and are tested with it (`RemoteJWKSTests.swift`: "only https, or http to
// loopback, is accepted; no credentials in the URL", "redirects are not followed", "10,000 random
// kids within one cooldown cause at most one fetch, then fail at once", "1,000 concurrent verifies
// with the same unknown kid share exactly one fetch"). This layer never fetches anything: row 13
// shows that `jku`/`x5u` in a token are ignored.
//
// Tokens that need a valid signature are fixture tokens from `Fixtures/tokens/manifest.json`
// (made by the independent Python generator), used as they are or mutated. Tokens whose defect is
// found before the signature is checked are crafted here with `Base64URL.encode`.
//
// The rows are grouped by attack family in `AttackTests+*.swift`; the helpers they share are in
// `Support/AttackKit.swift`.

@Suite("Attack catalogue rows owned by the verifier")
struct AttackTests {}
