namespace Wenming.Web;

/// <summary>Marker for the shared string table. Keys are the Chinese text (the UI's first language); the
/// English table is Resources/SharedResource.en.resx.</summary>
internal sealed class SharedResource;
