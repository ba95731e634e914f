"""What the comparison scripts say about the machine they ran on: the CPU model and the steal
time over a run (on a shared VM the neighbours' share, which every figure should be read with)."""


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def cpu_times():
    """(steal, total) jiffies of all CPUs since boot."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return fields[7], sum(fields)


def steal_percent(before, after):
    """The steal share of CPU time between two cpu_times() readings, in percent."""
    return 100.0 * (after[0] - before[0]) / max(after[1] - before[1], 1)
