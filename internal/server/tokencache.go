package server

import (
	"crypto/sha256"
	"sync"
	"time"
)

// tokenCacheTTL is how long a token the store verified is taken on trust.
// Within it, a client's requests cost no store query for authentication.
// The trade-off: a token revoked through this server stops working at
// once (revokeToken forgets it), but one revoked by another server on the
// same PostgreSQL database, or in the database directly, keeps working
// here for up to this long. Expiry is checked on every request.
const tokenCacheTTL = 2 * time.Second

// maxCachedTokens bounds the cache; only valid tokens enter it, so it
// holds as many entries as tokens in active use.
const maxCachedTokens = 10000

// tokenCache remembers recently verified tokens by the SHA-256 of their
// secret. Keying by the hash keeps secrets out of memory longer than a
// request, and a map lookup by a hash an attacker cannot steer leaks
// nothing about other secrets; the store compares in constant time when
// it verifies.
type tokenCache struct {
	mu      sync.Mutex
	gen     uint64 // advanced by every forget: see put
	entries map[[32]byte]cachedToken
}

type cachedToken struct {
	caller   caller
	expires  int64 // the token's expiry, Unix microseconds; 0: none
	verified time.Time
}

func newTokenCache() *tokenCache { return &tokenCache{entries: map[[32]byte]cachedToken{}} }

// get returns the caller holding secret if the store verified it less than
// tokenCacheTTL ago and it has not expired since, with the cache's
// generation to give put.
func (c *tokenCache) get(key [32]byte, now time.Time) (*caller, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || now.Sub(e.verified) >= tokenCacheTTL || now.Before(e.verified) || (e.expires != 0 && now.UnixMicro() >= e.expires) {
		return nil, c.gen, false
	}
	cl := e.caller
	return &cl, c.gen, true
}

// put remembers a token the store verified, unless a token was forgotten
// since the lookup began (gen from get): the verification may predate a
// revocation.
func (c *tokenCache) put(key [32]byte, cl caller, expires int64, verified time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= maxCachedTokens {
		clear(c.entries)
	}
	c.entries[key] = cachedToken{caller: cl, expires: expires, verified: verified}
}

// forget drops the token with this id.
func (c *tokenCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.entries {
		if e.caller.token == id {
			delete(c.entries, k)
		}
	}
}

func secretKey(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }
