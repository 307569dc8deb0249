import Hummingbird
import HummingbirdAuth
import SimbeeJWT
import SimbeeJWTHummingbird

// The audience of the tokens this service accepts: your Simbee client id.
let clientID = Environment().get("SIMBEE_CLIENT_ID") ?? "cl_123"

// Simbee's JWK Set, fetched and cached; run as a service it also refreshes in the background.
let keys = try RemoteJWKS(issuer: JWTVerifier.Configuration.simbeeIssuer)
let verifier = try JWTVerifier.simbee(clientID: clientID, keys: keys)

let router = Router(context: BasicAuthRequestContext<SimbeeIdentity>.self)
router.add(middleware: try SimbeeAuthenticator(verifier: verifier))

// Public: no token needed (a present but invalid one is still refused with 401).
router.get("health") { _, _ in "ok" }

// Authenticated, and the token must carry the `orders:read` scope (else 401 / 403).
router.group("orders")
    .add(middleware: RequireScopes(.all(["orders:read"])))
    .get { _, context in
        let caller = try context.requireSimbeeIdentity()
        return "orders of \(caller.subject)"
    }

// One route needing either of two scopes, checked in the handler.
router.delete("orders/:id") { _, context in
    let caller = try context.requireSimbeeIdentity(scopes: .any(["orders:write", "admin"]))
    return "order deleted by \(caller.subject)"
}

var app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: 8080))
)
app.addServices(keys)
try await app.runService()
