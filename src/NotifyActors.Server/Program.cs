using System.Collections;
using Microsoft.AspNetCore.Connections;
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
try
{
    await app.StartAsync();
}
catch (IOException e) when (e.InnerException is AddressInUseException)
{
    // A busy port is a configuration error like any other: one line naming the setting, exit code 2.
    // The process ends here; the service never served, so nothing is left to stop in order.
    Console.Error.WriteLine($"notify: {app.Services.GetRequiredService<Listeners>().AddressInUse(e).Message}");
    return 2;
}
await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;
