using Akka.Configuration;
using NotifyActors.Configuration;
using Xunit;

namespace NotifyActors.Tests.Configuration;

public sealed class SecuritySettingsSpecs
{
    [Fact]
    public void By_default_every_origin_is_allowed()
    {
        var security = NotifySettings.Create(NotifyConfig.Defaults).Security;

        Assert.True(security.AnyOrigin);
        Assert.Empty(security.AllowedOrigins);
        Assert.True(security.AllowsOrigin("https://evil.example"));
        Assert.True(security.AllowsOrigin(null));
    }

    [Fact]
    public void A_star_allows_every_origin()
    {
        var security = Read("""notify.security.allowed-origins = ["https://app.example.com", "*"]""");

        Assert.True(security.AnyOrigin);
        Assert.True(security.AllowsOrigin("http://anything.test"));
    }

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://APP.Example.com", true)]
    [InlineData("https://app.example.com:443", true)]
    [InlineData("http://app.example.com", false)]
    [InlineData("https://app.example.com:8443", false)]
    [InlineData("https://example.com", false)]
    [InlineData("https://app.example.com.evil.test", false)]
    [InlineData("https://evilapp.example.com", false)]
    [InlineData("http://localhost:3000", true)]
    [InlineData("http://localhost:3001", false)]
    [InlineData("https://a.cdn.example.org", true)]
    [InlineData("https://a.b.cdn.example.org", true)]
    [InlineData("https://cdn.example.org", false)]
    [InlineData("https://evilcdn.example.org", false)]
    [InlineData("null", false)]
    [InlineData("not an origin", false)]
    public void A_listed_origin_is_allowed_and_any_other_is_not(string origin, bool allowed)
    {
        var security = Read("""
            notify.security.allowed-origins = ["https://app.example.com", "http://localhost:3000", "https://*.cdn.example.org"]
            """);

        Assert.False(security.AnyOrigin);
        Assert.Equal(allowed, security.AllowsOrigin(origin));
    }

    [Fact]
    public void Without_an_Origin_header_the_request_is_allowed_even_with_a_list()
    {
        var security = Read("""notify.security.allowed-origins = ["https://app.example.com"]""");

        Assert.True(security.AllowsOrigin(null));
        Assert.True(security.AllowsOrigin(""));
    }

    [Fact]
    public void A_comma_separated_string_is_read_as_a_list()
    {
        var security = Read("""notify.security.allowed-origins = "https://a.example.com, https://b.example.com" """);

        Assert.Equal(2, security.AllowedOrigins.Count);
        Assert.True(security.AllowsOrigin("https://b.example.com"));
        Assert.False(security.AllowsOrigin("https://c.example.com"));
    }

    [Theory]
    [InlineData("""["https://app.example.com/path"]""")]
    [InlineData("""["https://app.example.com?x=1"]""")]
    [InlineData("""["ftp://app.example.com"]""")]
    [InlineData("""["app.example.com"]""")]
    [InlineData("""["https://user@app.example.com"]""")]
    [InlineData("""["https://*app.example.com"]""")]
    [InlineData("""{ a = b }""")]
    public void A_bad_origin_names_the_key(string value)
    {
        var config = ConfigurationFactory.ParseString($"notify.security.allowed-origins = {value}").WithFallback(NotifyConfig.Defaults);

        var error = Assert.Throws<SettingsException>(() => NotifySettings.Create(config));

        Assert.Equal("notify.security.allowed-origins", error.Key);
    }

    private static SecuritySettings Read(string hocon) =>
        NotifySettings.Create(ConfigurationFactory.ParseString(hocon).WithFallback(NotifyConfig.Defaults)).Security;
}
