import Taskiq

/// Assembles a Taskiq system from a JSON configuration file.
public enum TaskiqConfig {}
