"""A directed graph of routes: reachability, shortest hops, cheapest paths, ordering, cycles."""

from __future__ import annotations

import heapq
from collections import deque


class Graph:
    def __init__(self) -> None:
        self.edges: dict[str, dict[str, int]] = {}

    def add_edge(self, source: str, target: str, cost: int = 1) -> None:
        if cost < 0:
            raise ValueError("costs must not be negative")
        self.edges.setdefault(source, {})[target] = cost
        self.edges.setdefault(target, {})

    def neighbours(self, node: str) -> list[str]:
        return sorted(self.edges.get(node, {}))

    def reachable(self, start: str) -> set[str]:
        """Every node reachable from `start`, including itself."""
        seen = {start}
        stack = [start]
        while stack:
            node = stack.pop()
            for nxt in self.neighbours(node):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def fewest_hops(self, start: str, goal: str) -> list[str] | None:
        """A path with the fewest edges, or None."""
        previous: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if node == goal:
                path = []
                current: str | None = node
                while current is not None:
                    path.append(current)
                    current = previous[current]
                return path[::-1]
            for nxt in self.neighbours(node):
                if nxt not in previous:
                    previous[nxt] = node
                    queue.append(nxt)
        return None

    def cheapest(self, start: str, goal: str) -> int | None:
        """Total cost of the cheapest path (Dijkstra), or None when unreachable."""
        best = {start: 0}
        heap = [(0, start)]
        while heap:
            cost, node = heapq.heappop(heap)
            if node == goal:
                return cost
            if cost > best.get(node, cost):
                continue
            for nxt, step in self.edges.get(node, {}).items():
                total = cost + step
                if total < best.get(nxt, total + 1):
                    best[nxt] = total
                    heapq.heappush(heap, (total, nxt))
        return None

    def topological_order(self) -> list[str]:
        """Nodes so that every edge goes forward; ties broken alphabetically."""
        indegree = {node: 0 for node in self.edges}
        for targets in self.edges.values():
            for target in targets:
                indegree[target] += 1
        ready = sorted(node for node, degree in indegree.items() if degree == 0)
        order = []
        while ready:
            node = ready.pop(0)
            order.append(node)
            for nxt in self.neighbours(node):
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    ready.append(nxt)
            ready.sort()
        if len(order) != len(self.edges):
            raise ValueError("the graph has a cycle")
        return order

    def has_cycle(self) -> bool:
        try:
            self.topological_order()
        except ValueError:
            return True
        return False

    def out_degree(self, node: str) -> int:
        return len(self.edges.get(node, {}))
