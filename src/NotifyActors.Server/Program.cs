using System.Collections;
using NotifyActors.Configuration;
using NotifyActors.Server.Hosting;

var environment = Environment.GetEnvironmentVariables()
    .Cast<DictionaryEntry>()
    .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value);

WebApplication app;
try
{
    app = NotifyServer.Build(args, environment, Console.Out);
}
catch (SettingsException e)
{
    Console.Error.WriteLine($"notify: {e.Message}");
    return 2;
}

// Once bound, so a port chosen by the system (":0") shows as the real one.
app.Lifetime.ApplicationStarted.Register(() =>
{
    foreach (var admin in app.Services.GetRequiredService<Listeners>().AdminAddresses)
        Console.WriteLine($"dashboard: {admin}dashboard/ (sign in with the admin token)");
});
await app.RunAsync();
return 0;
