package portal

// PortalSafeNext is safeNext, for the external tests.
var PortalSafeNext = safeNext
