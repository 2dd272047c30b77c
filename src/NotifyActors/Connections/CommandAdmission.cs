namespace NotifyActors.Connections;

/// <summary>What the rate limiter says about one command.</summary>
public enum CommandAdmission
{
    /// <summary>Within the rate: execute it.</summary>
    Allowed,

    /// <summary>Over the rate: answer limit_exceeded and do not execute it.</summary>
    Rejected,

    /// <summary>Over the rate once too often: close the connection (4002).</summary>
    Abusive,
}
