#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension RemoteJWKS {
    /// A health-check view of a ``RemoteJWKS``.
    public struct Status: Sendable, Hashable {
        /// The JWK Set URL.
        public let url: String
        /// When the set was last fetched (or confirmed by `304`), by the wall clock.
        public let lastSuccess: Date?
        /// The last failure's description, if the last attempt failed.
        public let lastError: String?
        /// When the last failure happened.
        public let lastErrorAt: Date?
        /// Failed attempts since the last success.
        public let consecutiveFailures: Int
        /// The number of usable keys in the snapshot.
        public let keyCount: Int
        /// The usable keys' `kid`s, sorted.
        public let keyIDs: [String]
        /// Whether the snapshot is past its freshness lifetime (served stale while refreshes fail).
        public let isStale: Bool
        /// Whether a snapshot can serve lookups (present and within the staleness limit).
        public let isUsable: Bool
    }
}
