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
///
/// With admission on the second verification, a verified token is stored only when the record of
/// recent verifications (one hash per slot) already holds it; otherwise its hash is recorded there,
/// replacing the slot's earlier one. A hash collision only stores a token early: a hit still needs
/// the exact bytes.
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        let token: VerifiedJWT
        let key: JWTVerificationKey
        let cost: Int
        let sequence: Int
    }

    /// A token with its hash, computed once per verification and used for the lookup, the
    /// admission record and the insertion.
    struct Key: Hashable, Sendable {
        /// The token, compared byte for byte.
        let text: ExactText
        /// The token's hash under this process's random seed.
        let hash: Int

        init(_ token: String) {
            text = ExactText(token)
            var hasher = Hasher()
            hasher.combine(text)
            hash = hasher.finalize()
        }

        var token: String { text.string }

        static func == (lhs: Key, rhs: Key) -> Bool {
            lhs.hash == rhs.hash && lhs.text == rhs.text
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(hash)
        }
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Insertion order, as a ring of (key, insertion number); a slot whose number no longer
        /// matches its entry was removed (and perhaps re-inserted later) already.
        var order: [(name: Key, sequence: Int)?]
        /// With admission on the second verification: the hashes of tokens verified once, one per
        /// slot (a power of two of them; 0 marks an empty slot). Empty otherwise.
        var verifiedOnce: [Int]
        var nextSequence = 0
        var head = 0
        var count = 0
        var bytes = 0
        var hits = 0
        var misses = 0
    }

    /// The most entries held: the configured capacity, or fewer when `maxBytes` could never hold
    /// that many, since an entry always costs more than ``entryOverhead`` bytes.
    let capacity: Int
    private let maxBytes: Int
    private let state: NIOLockedValueBox<State>

    /// What an entry costs beyond its token's bytes and the claims' memory.
    static let entryOverhead = 256

    /// The insertion ring, the admission record and the dictionary are sized for ``capacity`` up
    /// front, so that memory set aside follows `maxBytes` too (capacity 1,000,000 with 64 KiB sets
    /// aside 256 slots, not a million).
    init(capacity: Int, maxBytes: Int, admitsOnSecondVerification: Bool = false) {
        let capacity = min(capacity, max(1, maxBytes / Self.entryOverhead))
        self.capacity = capacity
        self.maxBytes = maxBytes
        var slots = 0
        if admitsOnSecondVerification {
            slots = 1
            while slots < capacity { slots <<= 1 }
        }
        var state = State(
            order: Array(repeating: nil, count: capacity),
            verifiedOnce: Array(repeating: 0, count: slots)
        )
        state.entries.reserveCapacity(capacity)
        self.state = NIOLockedValueBox(state)
    }

    /// The cached verification of `token` with the key that verified it, if any.
    func lookup(_ token: Key) -> (token: VerifiedJWT, key: JWTVerificationKey)? {
        state.withLockedValue { state in
            guard let entry = state.entries[token] else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            return (entry.token, entry.key)
        }
    }

    /// Stores a successful verification (on its second one, with that admission), evicting the
    /// oldest entries past the bounds.
    func insert(_ name: Key, verified: VerifiedJWT, key: JWTVerificationKey) {
        // The token's bytes and its decoded segments, which the claims are read from, dominate an
        // entry's memory.
        let cost = name.token.utf8.count + verified.claims.retainedByteCount + Self.entryOverhead
        guard cost <= maxBytes else { return }
        state.withLockedValue { state in
            if !state.verifiedOnce.isEmpty {
                let slot = name.hash & (state.verifiedOnce.count - 1)
                let mark = name.hash == 0 ? 1 : name.hash
                guard state.verifiedOnce[slot] == mark else {
                    state.verifiedOnce[slot] = mark
                    return
                }
                state.verifiedOnce[slot] = 0
            }
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
    func remove(_ token: Key) {
        state.withLockedValue { state in
            if let entry = state.entries.removeValue(forKey: token) {
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
