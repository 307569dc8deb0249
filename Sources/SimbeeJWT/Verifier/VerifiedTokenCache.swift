import NIOConcurrencyHelpers

/// Remembers successful verifications, keyed on the exact token bytes, so that a token presented
/// again (Simbee clients reuse one 15-minute token on every call) skips parsing and the signature.
///
/// A hit is not a free pass:
/// - `exp` and `nbf` are checked again against the current clock (an entry that expired is evicted
///   and the token refused as `expired`);
/// - the key that verified it is looked up again: if the key source no longer returns that very key
///   for its `kid` (it left the JWK Set, or the `kid` now names other key material), the entry is
///   dropped and the token verified from scratch;
/// - only successes are stored, under a size and memory bound, oldest first out.
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        let token: VerifiedJWT
        let key: JWTVerificationKey
        let cost: Int
        let sequence: Int
    }

    private struct State {
        var entries: [ExactText: Entry] = [:]
        /// Insertion order, as a ring of (key, insertion number); a slot whose number no longer
        /// matches its entry was removed (and perhaps re-inserted later) already.
        var order: [(name: ExactText, sequence: Int)?]
        var nextSequence = 0
        var head = 0
        var count = 0
        var bytes = 0
        var hits = 0
        var misses = 0
    }

    private let capacity: Int
    private let maxBytes: Int
    private let state: NIOLockedValueBox<State>

    init(capacity: Int, maxBytes: Int) {
        self.capacity = capacity
        self.maxBytes = maxBytes
        var state = State(order: Array(repeating: nil, count: capacity))
        state.entries.reserveCapacity(capacity)
        self.state = NIOLockedValueBox(state)
    }

    /// The cached verification of `token` with the key that verified it, if any.
    func lookup(_ token: String) -> (token: VerifiedJWT, key: JWTVerificationKey)? {
        state.withLockedValue { state in
            guard let entry = state.entries[ExactText(token)] else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            return (entry.token, entry.key)
        }
    }

    /// Stores a successful verification, evicting the oldest entries past the bounds.
    func insert(_ token: String, verified: VerifiedJWT, key: JWTVerificationKey) {
        // The token's bytes and its decoded segments, which the claims are read from, dominate an
        // entry's memory.
        let cost = token.utf8.count + verified.claims.retainedByteCount + 256
        guard cost <= maxBytes else { return }
        let name = ExactText(token)
        state.withLockedValue { state in
            if state.entries[name] != nil { return }
            while state.count == capacity || state.bytes + cost > maxBytes {
                evictOldest(&state)
            }
            state.nextSequence += 1
            state.entries[name] = Entry(token: verified, key: key, cost: cost, sequence: state.nextSequence)
            state.order[(state.head + state.count) % capacity] = (name, state.nextSequence)
            state.count += 1
            state.bytes += cost
        }
    }

    /// Drops the entry for `token`.
    func remove(_ token: String) {
        state.withLockedValue { state in
            if let entry = state.entries.removeValue(forKey: ExactText(token)) {
                state.bytes -= entry.cost
            }
        }
    }

    private func evictOldest(_ state: inout State) {
        guard state.count > 0 else { return }
        if let slot = state.order[state.head], state.entries[slot.name]?.sequence == slot.sequence,
            let entry = state.entries.removeValue(forKey: slot.name)
        {
            state.bytes -= entry.cost
        }
        state.order[state.head] = nil
        state.head = (state.head + 1) % capacity
        state.count -= 1
    }

    /// Entries held, hits and misses so far (for tests and diagnostics).
    var statistics: (entries: Int, hits: Int, misses: Int) {
        state.withLockedValue { ($0.entries.count, $0.hits, $0.misses) }
    }
}
