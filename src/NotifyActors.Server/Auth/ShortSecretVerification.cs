using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace NotifyActors.Server.Auth;

/// <summary>
/// HS256 signature checks for a secret shorter than the 256 bits Microsoft.IdentityModel insists on.
/// PROTOCOL.md makes ">= 32 bytes" a production rule only, so a development secret such as
/// "dev-secret" must still work. Only the signature comparison is done here; parsing, lifetime
/// and claims stay with JsonWebTokenHandler. Used only when the configured secret is short.
/// </summary>
internal sealed class ShortSecretVerification : CryptoProviderFactory
{
    public override bool IsSupportedAlgorithm(string algorithm, SecurityKey key) =>
        algorithm == SecurityAlgorithms.HmacSha256 && key is SymmetricSecurityKey;

    public override SignatureProvider CreateForVerifying(SecurityKey key, string algorithm) =>
        CreateForVerifying(key, algorithm, cacheProvider: false);

    public override SignatureProvider CreateForVerifying(SecurityKey key, string algorithm, bool cacheProvider) =>
        IsSupportedAlgorithm(algorithm, key)
            ? new HmacSha256Verifier((SymmetricSecurityKey)key)
            : throw new NotSupportedException($"only {SecurityAlgorithms.HmacSha256} is accepted");

    public override void ReleaseSignatureProvider(SignatureProvider signatureProvider) => signatureProvider.Dispose();

    private sealed class HmacSha256Verifier(SymmetricSecurityKey key) : SignatureProvider(key, SecurityAlgorithms.HmacSha256)
    {
        public override byte[] Sign(byte[] input) => HMACSHA256.HashData(key.Key, input);

        public override bool Verify(byte[] input, byte[] signature) =>
            CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key.Key, input), signature);

        public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength) =>
            CryptographicOperations.FixedTimeEquals(
                HMACSHA256.HashData(key.Key, input.AsSpan(inputOffset, inputLength)),
                signature.AsSpan(signatureOffset, signatureLength));

        protected override void Dispose(bool disposing)
        {
        }
    }
}
