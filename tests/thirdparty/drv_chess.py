"""python-chess: random games, legal move generation, perft, SAN and PGN export."""

import io
import random

import chess
import chess.pgn

rng = random.Random(43)


def perft(board, depth):
    if depth == 0:
        return 1
    total = 0
    for move in board.legal_moves:
        board.push(move)
        total += perft(board, depth - 1)
        board.pop()
    return total


for step in range(14):
    board = chess.Board()
    game = chess.pgn.Game()
    node = game
    sans = []
    while not board.is_game_over(claim_draw=True) and board.ply() < 160:
        moves = sorted(board.legal_moves, key=lambda m: m.uci())
        captures = [m for m in moves if board.is_capture(m)]
        move = rng.choice(captures if captures and rng.random() < 0.5 else moves)
        sans.append(board.san(move))
        node = node.add_variation(move)
        board.push(move)
    nodes = perft(board, 2) if not board.is_game_over() else 0
    pgn = io.StringIO()
    game.accept(chess.pgn.FileExporter(pgn))
    print(f"step {step}: plies {board.ply()} result {board.result(claim_draw=True)} "
          f"perft2 {nodes} fen {board.board_fen()} last {' '.join(sans[-3:])} "
          f"pgn {len(pgn.getvalue())}", flush=True)
print("perft3", perft(chess.Board(), 3), flush=True)
