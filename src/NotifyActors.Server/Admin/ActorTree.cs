using Akka.Actor;

namespace NotifyActors.Server.Admin;

/// <summary>
/// GET /admin/actors: the actor hierarchy under a path, like pbm's actor hierarchy, read from the
/// actors' children containers (immutable snapshots, safe to read from a request thread; no actor is
/// asked). Built for 20,000 connections: the path's children come one page at a time (sorted by name),
/// each child shows its own child count, nested levels (depth &gt; 1) show at most a page of children
/// each, and one answer never holds more than <see cref="MaxNodes"/> actors.
/// </summary>
public static class ActorTree
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 500;
    public const int MaxDepth = 5;
    public const int MaxNodes = 2000;

    /// <summary>The page of <paramref name="path"/>'s children, or null when no actor lives there.</summary>
    public static TreePage? Page(ActorSystem system, string path, int depth, int page, int size)
    {
        var root = ((ExtendedActorSystem)system).Provider.RootGuardian;
        var elements = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        IActorRef target;
        try
        {
            target = elements.Length == 0 ? root : root.GetChild(elements);
        }
        catch (FormatException)
        {
            // Akka reads "name#..." as a name and an actor uid. Actor names here never hold '#' (channel
            // names are escaped: "a#b" lives at "a%23b"), so a path with one names no actor.
            return null;
        }
        if (target is not ActorRefWithCell cell || target.IsNobody())
            return null;

        var children = Sorted(cell);
        var budget = new[] { MaxNodes };
        var nodes = children.Skip((page - 1) * size).Take(size).Select(child => Node(child, depth - 1, size, budget)).ToList();
        return new TreePage("/" + string.Join('/', elements), children.Count, page, size, budget[0] <= 0, nodes);
    }

    private static TreeNode Node(IActorRef actor, int depth, int size, int[] budget)
    {
        budget[0]--;
        var children = actor is ActorRefWithCell cell ? Sorted(cell) : [];
        IReadOnlyList<TreeNode>? nested = null;
        if (depth > 0 && children.Count > 0 && budget[0] > 0)
        {
            var take = Math.Min(size, budget[0]);
            nested = children.Take(take).Select(child => Node(child, depth - 1, size, budget)).ToList();
        }
        return new TreeNode(actor.Path.Name, actor.Path.ToStringWithoutAddress(), children.Count, nested);
    }

    private static List<IActorRef> Sorted(ActorRefWithCell cell) =>
        cell.Children.OrderBy(child => child.Path.Name, StringComparer.Ordinal).ToList();

    /// <summary>Truncated: the node budget ran out, so some nested levels are left out (children is null).</summary>
    public sealed record TreePage(string Path, int ChildrenTotal, int Page, int Size, bool Truncated, IReadOnlyList<TreeNode> Children);

    /// <summary>ChildCount is the actor's whole child count; Children holds at most a page of them, or null when not shown.</summary>
    public sealed record TreeNode(string Name, string Path, int ChildCount, IReadOnlyList<TreeNode>? Children);
}
