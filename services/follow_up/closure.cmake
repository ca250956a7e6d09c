# Closure (helper CLOSURE).
