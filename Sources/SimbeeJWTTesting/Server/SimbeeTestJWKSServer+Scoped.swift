extension SimbeeTestJWKSServer {
    /// Runs `body` with a server serving `issuer`'s JWK Set, and shuts the server down when `body`
    /// returns or throws.
    ///
    /// The scoped form of ``start(serving:cacheControl:)`` and ``shutdown()``: a failing test
    /// cannot leave a server running.
    ///
    /// ```swift
    /// try await SimbeeTestJWKSServer.withServer(serving: try SimbeeTestIssuer()) { server in
    ///     let verifier = try server.verifier(clientID: "cl_test")
    ///     _ = try await verifier.verify(try server.issuer.token())
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - issuer: The issuer whose published keys are served.
    ///   - cacheControl: The `Cache-Control` header of JWK Set responses, or `nil` for none.
    ///     Default `public, max-age=300`.
    ///   - isolation: The caller's isolation, which `body` runs in.
    ///   - body: The code that uses the server.
    /// - Returns: What `body` returns.
    /// - Throws: When the socket cannot be bound, or what `body` throws.
    public static func withServer<Value>(
        serving issuer: SimbeeTestIssuer,
        cacheControl: String? = "public, max-age=300",
        isolation: isolated (any Actor)? = #isolation,
        _ body: (SimbeeTestJWKSServer) async throws -> Value
    ) async throws -> Value {
        let server = try await start(serving: issuer, cacheControl: cacheControl)
        let value: Value
        do {
            value = try await body(server)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
        return value
    }
}
