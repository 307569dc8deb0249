#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One JWK Set fetch for a ``RemoteJWKS``, with every limit applied: the fetcher call under a
/// deadline, the status check, the body decoded into a ``JWKSet`` within the size and key limits,
/// and the caching headers turned into a TTL.
struct JWKSLoader: Sendable {
    let url: String
    let configuration: RemoteJWKS.Configuration
    let fetcher: any JWKSFetcher
    /// The wall clock that `Expires` is measured against when the response has no `Date`.
    let wallClock: @Sendable () -> Date

    /// Fetches the set, conditionally when `entityTag` is given. Never throws, and returns within
    /// the request timeout even when a custom fetcher ignores it.
    func load(entityTag: String?) async -> RemoteJWKSStateMachine.FetchResult {
        let request = JWKSFetchRequest(
            url: url,
            entityTag: entityTag,
            connectTimeout: configuration.connectTimeout,
            timeout: configuration.requestTimeout,
            maxBodyBytes: configuration.maxBodyBytes,
            headers: configuration.requestHeaders
        )
        let response: JWKSFetchResponse
        do {
            response = try await withDeadline(configuration.requestTimeout + .milliseconds(250)) { [fetcher] in
                try await fetcher.fetch(request)
            }
        } catch {
            return .failure("fetch failed: \(String(describing: error).prefix(200))")
        }
        let ttl = CacheLifetime.ttl(
            cacheControl: response.cacheControl,
            expires: response.expires,
            date: response.date,
            age: response.age,
            nowUnixSeconds: wallClock().timeIntervalSince1970,
            defaultTTL: configuration.defaultTTL,
            minimumTTL: configuration.minimumTTL,
            maximumTTL: configuration.maximumTTL
        )
        switch response.status {
        case 200:
            guard response.body.count <= configuration.maxBodyBytes else {
                return .failure("response body is larger than \(configuration.maxBodyBytes) bytes")
            }
            var limits = JWKSet.Limits()
            limits.maxBytes = configuration.maxBodyBytes
            limits.maxKeys = configuration.maxKeys
            do {
                return .fresh(try JWKSet(json: response.body, limits: limits), ttl: ttl, entityTag: response.entityTag)
            } catch {
                return .failure(error.message)
            }
        case 304 where entityTag != nil:
            return .notModified(ttl: ttl, entityTag: response.entityTag)
        default:
            return .failure("unexpected HTTP status \(response.status)")
        }
    }
}
