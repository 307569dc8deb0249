import NIOConcurrencyHelpers

/// The last few protected headers a verifier parsed, keyed on their exact base64url text.
///
/// Every token an issuer signs with one key carries the same header segment (`alg`, `kid`, `typ`),
/// so the verifier decodes and parses each distinct header once and afterwards only compares bytes.
/// Parsing is a pure function of those bytes, so a remembered header is exactly what parsing the
/// segment again would give; only headers that parsed are remembered, and nothing here is trusted
/// more than before: the signature, which covers the header, is still checked on every token.
///
/// Measured per ES256 verification (`Benchmarks/Scripts/profile.sh --icache`): about 3,300 fewer
/// instructions and 49 fewer lines of code to fetch into the instruction cache, which OpenSSL's
/// signature check empties between two verifications (74 fewer through a RemoteJWKS).
final class HeaderMemo: Sendable {
    /// A parsed header, handed out by reference: taking one out of the memo is one retain, where a
    /// copy of the `JOSEHeader` value retained (and later released) each of its four strings
    /// through an outlined copy and destroy (measured per ES256 verification: that copy and
    /// destroy, about 200 instructions, gone, and 21 fewer lines of code to fetch). Headers longer
    /// than ``maxSegmentBytes`` are not remembered and cost one allocation more.
    final class Parsed: Sendable {
        let header: JOSEHeader
        /// The supported algorithm `alg` names, if any, found once for the header rather than by
        /// comparing names on every verification.
        let algorithm: JWTAlgorithm?

        init(_ header: JOSEHeader) {
            self.header = header
            self.algorithm = JWTAlgorithm(name: header.algorithmName)
        }
    }

    private struct Entry {
        let segment: [UInt8]
        let parsed: Parsed
    }

    /// Entries kept: a few keys in rotation, times the header shapes an issuer uses.
    static let capacity = 4
    /// Longer segments are parsed every time: an issuer's headers are short, and a bound keeps
    /// each comparison and the memo's memory small whatever tokens arrive.
    static let maxSegmentBytes = 256

    private struct State {
        var entries: [Entry] = []
        /// The slot the next new header replaces once the memo is full.
        var next = 0
    }

    /// A pthread mutex, not Synchronization's `Mutex`: see `OpenSSLPublicKey`'s context lists.
    private let state = NIOLockedValueBox(State())

    /// The header encoded by `segment`: remembered, or parsed by `parse` (and remembered when it
    /// parses).
    func header(
        of segment: UnsafeBufferPointer<UInt8>,
        parse: (UnsafeBufferPointer<UInt8>) throws(JWTError) -> JOSEHeader
    ) throws(JWTError) -> Parsed {
        guard segment.count <= Self.maxSegmentBytes else { return Parsed(try parse(segment)) }
        let remembered = state.withLockedValue { state -> Parsed? in
            for entry in state.entries where entry.segment.withUnsafeBufferPointer({ $0.hasSameBytes(as: segment) }) {
                return entry.parsed
            }
            return nil
        }
        if let remembered { return remembered }
        let parsed = Parsed(try parse(segment))
        let entry = Entry(segment: Array(segment), parsed: parsed)
        state.withLockedValue { state in
            // Another task may have parsed the same header meanwhile.
            if state.entries.contains(where: { $0.segment == entry.segment }) { return }
            if state.entries.count < Self.capacity {
                state.entries.append(entry)
            } else {
                state.entries[state.next] = entry
                state.next = (state.next + 1) % Self.capacity
            }
        }
        return parsed
    }
}
