package codec

import (
	"context"
	"fmt"

	"github.com/coreos/go-oidc/v3/oidc"
)

// The Web UI's sign-in, accepted as the codec server's authorisation: with
// TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true the UI forwards its user's access
// token to the codec endpoint, as Temporal's codec server guidance says;
// the server accepts it when it is a JWT that the identity provider signed
// for the audience, and not expired.
const (
	EnvOIDCIssuer   = "SFCONNECT_CODEC_OIDC_ISSUER"
	EnvOIDCAudience = "SFCONNECT_CODEC_OIDC_AUDIENCE"
)

// OIDCVerifier checks bearer tokens against the issuer's published keys
// (discovered once, at start; rotated keys are fetched when a token names
// one it lacks) and the audience the Web UI's tokens carry.
func OIDCVerifier(ctx context.Context, issuer, audience string) (BearerVerifier, error) {
	if audience == "" {
		return nil, fmt.Errorf("%s is set but %s is not: name the audience of the Web UI's tokens (its client id or API), or any token of %s would do", EnvOIDCIssuer, EnvOIDCAudience, issuer)
	}
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("%s %s: discovery: %w", EnvOIDCIssuer, issuer, err)
	}
	return oidcVerifier{provider.Verifier(&oidc.Config{ClientID: audience})}, nil
}

// AuthFromEnv is the codec server's authorisation from its environment:
// EnvTokens, and EnvOIDCIssuer with EnvOIDCAudience.
func AuthFromEnv(ctx context.Context, getenv func(string) string) (Auth, error) {
	auth := Auth{Tokens: ParseTokens(getenv(EnvTokens))}
	if issuer := getenv(EnvOIDCIssuer); issuer != "" {
		v, err := OIDCVerifier(ctx, issuer, getenv(EnvOIDCAudience))
		if err != nil {
			return auth, err
		}
		auth.Verifier = v
	}
	return auth, nil
}

type oidcVerifier struct{ v *oidc.IDTokenVerifier }

// Verify checks the signature, the issuer, the audience and the expiry.
func (o oidcVerifier) Verify(ctx context.Context, token string) error {
	_, err := o.v.Verify(ctx, token)
	return err
}
