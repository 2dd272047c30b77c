namespace NotifyActors.Configuration;

/// <summary>development: runs with no setup (generated secrets, anonymous on). production: secrets required.</summary>
public enum ServiceProfile
{
    Development,
    Production,
}
