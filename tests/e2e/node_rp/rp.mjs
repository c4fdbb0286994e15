// A strict OpenID Connect relying party built on oauth4webapi, driven by tests/e2e/test_node_rp.py.
//
//   node rp.mjs start  <config.json>                 -> {"authorization_url": ...}; keeps its secrets in state_file
//   node rp.mjs finish <config.json> <callback URL>  -> {"id_token": claims, "userinfo", "refreshed", ...}
//
// config.json: {"issuer", "client_id", "client_secret", "redirect_uri", "scope", "max_age", "state_file"}.
// Everything comes from discovery. The library checks the callback (state, RFC 9207 iss), the token
// response and the ID token's claims (iss, aud, exp, iat, nonce, auth_time against max_age); this script
// adds the ID token's signature against the published JWKS, then calls userinfo and refreshes.
// Any failure exits 1 with the reason on stderr.
import { readFileSync, writeFileSync } from "node:fs";
import * as oauth from "oauth4webapi";

const insecure = { [oauth.allowInsecureRequests]: true }; // the test site listens on http://127.0.0.1

async function discover(config) {
  const issuer = new URL(config.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...insecure });
  return oauth.processDiscoveryResponse(issuer, response);
}

async function start(config) {
  const as = await discover(config);
  const state = {
    code_verifier: oauth.generateRandomCodeVerifier(),
    nonce: oauth.generateRandomNonce(),
    state: oauth.generateRandomState(),
  };
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    scope: config.scope,
    state: state.state,
    nonce: state.nonce,
    max_age: String(config.max_age),
    code_challenge: await oauth.calculatePKCECodeChallenge(state.code_verifier),
    code_challenge_method: "S256",
  }).toString();
  writeFileSync(config.state_file, JSON.stringify(state), { mode: 0o600 });
  return { authorization_url: url.href, issuer: as.issuer };
}

async function finish(config, callbackUrl) {
  const as = await discover(config);
  const client = { client_id: config.client_id };
  const auth = oauth.ClientSecretBasic(config.client_secret);
  const saved = JSON.parse(readFileSync(config.state_file, "utf8"));

  const params = oauth.validateAuthResponse(as, client, new URL(callbackUrl), saved.state);
  const codeResponse = await oauth.authorizationCodeGrantRequest(
    as, client, auth, params, config.redirect_uri, saved.code_verifier, insecure,
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, codeResponse, {
    expectedNonce: saved.nonce,
    maxAge: config.max_age,
    requireIdToken: true,
  });
  await oauth.validateApplicationLevelSignature(as, codeResponse, insecure); // signature via jwks_uri
  const claims = oauth.getValidatedIdTokenClaims(tokens);

  const userinfoResponse = await oauth.userInfoRequest(as, client, tokens.access_token, insecure);
  const userinfo = await oauth.processUserInfoResponse(as, client, claims.sub, userinfoResponse);

  const refreshResponse = await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token, insecure);
  const refreshed = await oauth.processRefreshTokenResponse(as, client, refreshResponse);
  const refreshedClaims = oauth.getValidatedIdTokenClaims(refreshed);
  if (refreshedClaims) {
    await oauth.validateApplicationLevelSignature(as, refreshResponse, insecure);
    if (refreshedClaims.sub !== claims.sub || refreshedClaims.iss !== claims.iss) {
      throw new Error("the refreshed ID token names another user or issuer (OpenID Connect Core 12.2)");
    }
  }
  const afterRefresh = await oauth.processUserInfoResponse(
    as, client, claims.sub, await oauth.userInfoRequest(as, client, refreshed.access_token, insecure),
  );
  return {
    id_token: claims,
    userinfo,
    scope: tokens.scope,
    token_type: tokens.token_type,
    refreshed: {
      rotated: refreshed.refresh_token !== undefined && refreshed.refresh_token !== tokens.refresh_token,
      new_access_token: refreshed.access_token !== tokens.access_token,
      id_token: refreshedClaims ?? null,
      userinfo: afterRefresh,
    },
  };
}

const [command, configPath, callbackUrl] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, "utf8"));
try {
  const result = command === "start" ? await start(config) : await finish(config, callbackUrl);
  process.stdout.write(JSON.stringify(result) + "\n");
} catch (error) {
  const cause = error.cause ? ` ${JSON.stringify(error.cause)}` : "";
  process.stderr.write(`${error.name}: ${error.message} [${error.code ?? ""}]${cause}\n`);
  process.exit(1);
}
