using System.Collections.Frozen;
using NotifyActors.Server.Hosting;

namespace NotifyActors.Server.Admin;

/// <summary>
/// The operators' dashboard: three static files (Admin/Dashboard/*, embedded in this assembly) served
/// at /dashboard/ on the admin listeners only. The page itself needs no token: it asks for the admin
/// token, keeps it in session storage and sends it with every /admin/* call it makes. The content
/// security policy lets the page talk to its own origin only, so nothing is fetched from elsewhere.
/// </summary>
public static class DashboardEndpoints
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    // Read once: the files are small and never change while the process runs.
    private static readonly FrozenDictionary<string, (byte[] Content, string ContentType)> Files =
        new Dictionary<string, (byte[], string)>
        {
            [""] = (Read("index.html"), "text/html; charset=utf-8"),
            ["dashboard.css"] = (Read("dashboard.css"), "text/css; charset=utf-8"),
            ["dashboard.js"] = (Read("dashboard.js"), "text/javascript; charset=utf-8"),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    public static void Map(WebApplication app)
    {
        app.MapGet("/dashboard/{file?}", (HttpContext http, string? file) =>
        {
            if (!IsAdmin(http) || !Files.TryGetValue(file ?? "", out var entry))
                return Results.NotFound();
            // The page's relative links (dashboard.css, dashboard.js) need the trailing slash.
            if (file is null && !http.Request.Path.Value!.EndsWith('/'))
                return Results.Redirect("/dashboard/");
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-cache";
            headers["Referrer-Policy"] = "no-referrer";
            return Results.Bytes(entry.Content, entry.ContentType);
        });
    }

    private static bool IsAdmin(HttpContext http) =>
        http.RequestServices.GetRequiredService<Listeners>().IsAdmin(http.Connection);

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("Dashboard/" + name)
            ?? throw new InvalidOperationException($"the dashboard file {name} is not embedded in the server assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
