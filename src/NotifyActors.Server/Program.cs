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

await app.RunAsync();
return 0;
